/**
 * npm scripts (lab, test, bench) routed through the limactl STAND-IN: the
 * command runs "in the guest" (this machine) with the guest's environment.
 */
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../test/helpers.ts';
import { guestArgv, routeIfNeeded } from './route-npm.ts';
import { running, sandbox, type Sandbox } from './testing/standin.ts';

let sb: Sandbox;
beforeAll(() => {
  sb = sandbox('npm');
  sb.setInstances([running()]);
});
afterAll(() => sb.cleanup());

const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');
const wrapper = (args: string[], env: NodeJS.ProcessEnv) =>
  spawnSync(TSX, [path.join(ROOT, 'lima', 'route-npm.ts'), ...args], { encoding: 'utf8', env, cwd: ROOT, timeout: 120_000 });

describe('routing npm scripts through the limactl stand-in', () => {
  it('runs the command in the guest with routing off there, and returns its exit code', () => {
    const r = wrapper(['node', '-e', 'console.log(process.env.TINY_DOCKER_ROUTE, process.env.TINY_DOCKER_ROOT); process.exit(5)'], sb.env);
    expect(r.stdout).toBe(`guest ${sb.guestDir}\n`);
    expect(r.status).toBe(5);
    expect(sb.calls().some((c) => c.startsWith('shell tiny-docker sudo env'))).toBe(true);
  });

  it('finds bare names in the guest\'s node_modules/.bin (vitest, tsx)', () => {
    const r = wrapper(['vitest', '--version'], sb.env);
    expect(r.stdout).toMatch(/vitest\/\d+\.\d+/);
    expect(r.status).toBe(0);
  });

  it('fails with the same one-line checks as the CLI (stopped instance → 125)', () => {
    sb.setInstances([{ ...running(), status: 'Stopped' }]);
    const r = wrapper(['vitest', '--version'], sb.env);
    sb.setInstances([running()]);
    expect(r.status).toBe(125);
    expect(r.stderr.trim()).toMatch(/^tiny-docker: the Lima instance "tiny-docker" is Stopped: start it with `limactl start tiny-docker`$/);
  });

  it('without routing, runs the command here and routeIfNeeded returns null', async () => {
    const env = { ...sb.env };
    delete env.TINY_DOCKER_ROUTE;
    const r = wrapper(['node', '-e', 'process.exit(3)'], env);
    expect(r.status).toBe(3);
    const saved = process.env.TINY_DOCKER_ROUTE;
    delete process.env.TINY_DOCKER_ROUTE;
    try {
      expect(await routeIfNeeded(['node', '-e', '0'])).toBeNull();
    } finally {
      if (saved !== undefined) process.env.TINY_DOCKER_ROUTE = saved;
    }
  });

  it('maps node, npm and bare names to the guest\'s own', () => {
    expect(guestArgv('/p', '/usr/local/bin/node', ['node', 'x.js'])).toEqual(['/usr/local/bin/node', 'x.js']);
    expect(guestArgv('/p', '/usr/local/bin/node', ['npm', 'run', 'lab'])).toEqual(['/usr/local/bin/npm', 'run', 'lab']);
    expect(guestArgv('/p', '/usr/local/bin/node', ['tsx', 'harness/lab.ts'])).toEqual(['/p/node_modules/.bin/tsx', 'harness/lab.ts']);
  });
});
