/**
 * The five prerequisite checks, each provoked through the limactl STAND-IN
 * (no Lima runs on Linux): every one prints its own single line and exits 125.
 */
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HOST_ROOTFS, ROOT } from '../test/helpers.ts';
import { limaConfig, archBuild, guestArch } from './config.ts';
import { limactlShellArgs, tinyDockerArgv } from './guest-command.ts';
import { commandOf } from './router.ts';
import { parseInstanceList } from './limactl.ts';
import { routingWanted } from './config.ts';
import { STANDIN, routed, running, sandbox, type Sandbox } from './testing/standin.ts';

let sb: Sandbox;
beforeEach(() => {
  sb = sandbox('checks');
});
afterEach(() => sb.cleanup());

const hello = ['run', '--rm', '--rootfs', HOST_ROOTFS, '/bin/echo', 'hello'];

/** One line on stderr, exit 125, and the line names the problem and the fix. */
function expectOneLine125(r: { code: number; stdout: string; stderr: string }, ...parts: RegExp[]): void {
  expect(r.code).toBe(125);
  expect(r.stdout).toBe('');
  const lines = r.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  for (const p of parts) expect(lines[0]).toMatch(p);
}

describe('prerequisite checks against the limactl stand-in', () => {
  it('1. limactl missing: says how to install Lima', () => {
    const r = routed(sb, hello, { env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' } });
    expectOneLine125(r, /limactl is not installed/, /brew install lima/);
  });

  it('2. instance missing: says to run setup lima, and nothing runs in a guest', () => {
    sb.setInstances([{ ...running(), name: 'some-other-vm' }]);
    const r = routed(sb, hello);
    expectOneLine125(r, /instance "tiny-docker" does not exist/, /tiny-docker setup lima/);
    expect(sb.calls().filter((c) => c.startsWith('shell'))).toEqual([]);
  });

  it('2b. the instance name comes from TINY_DOCKER_LIMA_INSTANCE', () => {
    sb.setInstances([running()]);
    const r = routed(sb, hello, { env: { TINY_DOCKER_LIMA_INSTANCE: 'td-class' } });
    expectOneLine125(r, /instance "td-class" does not exist/);
  });

  it('3. instance stopped: says limactl start', () => {
    sb.setInstances([{ ...running(), status: 'Stopped' }]);
    expectOneLine125(routed(sb, hello), /is Stopped/, /limactl start tiny-docker/);
    expect(sb.calls().filter((c) => c.startsWith('shell'))).toEqual([]);
  });

  it('4. Linux build for the guest arch missing (aarch64 guest here): names linux-arm64 and how to build it', () => {
    sb.setInstances([running('aarch64')]);
    expectOneLine125(routed(sb, hello), /Linux build for linux-arm64 is missing/, /runtime\/init\/build\/linux-arm64\/tiny-init/, /tiny-docker setup lima/);
  });

  it('4b. the guest sees no Linux koffi in node_modules: says so, from inside the guest', () => {
    sb.setInstances([running()]);
    const r = routed(sb, hello, { env: { LIMACTL_STANDIN_HIDE: path.join(ROOT, 'node_modules') } });
    expectOneLine125(r, /Linux build for linux-amd64 is missing in the guest/, /koffi-linux-x64/);
  });

  it('5. project not shared into the guest: names the path and how to share it', () => {
    sb.setInstances([running()]);
    const r = routed(sb, hello, { env: { LIMACTL_STANDIN_HIDE: ROOT } });
    expectOneLine125(r, new RegExp(`${ROOT} is not reachable inside the Lima instance "tiny-docker" at the same path`), /writable/);
  });

  it('5b. project shared read-only: says to set writable: true', () => {
    sb.setInstances([running()]);
    const r = routed(sb, hello, { env: { LIMACTL_STANDIN_READONLY: ROOT } });
    expectOneLine125(r, /shared read-only/, /writable: true/);
  });

  it('doctor prints every Lima check, not just the first failure', () => {
    sb.setInstances([{ ...running(), status: 'Stopped' }]);
    const r = routed(sb, ['doctor']);
    expect(r.code).toBe(125);
    expect(r.stdout).toMatch(/✔ limactl installed/);
    expect(r.stdout).toMatch(/✔ Lima instance exists/);
    expect(r.stdout).toMatch(/✘ instance running .*limactl start tiny-docker/);
    expect(r.stdout).toMatch(/✔ Linux build \(linux-amd64\)/);
    expect(r.stdout).toMatch(/✘ project shared .*not checked/);
  });

  it('doctor with everything in place runs the guest checks, then the Linux doctor inside', () => {
    sb.setInstances([running()]);
    const r = routed(sb, ['doctor']);
    expect(r.stdout).toMatch(/✔ project shared \(same path, writable\)/);
    expect(r.stdout).toMatch(/✔ Linux build in the guest \(linux-amd64\)/);
    expect(r.stdout).toMatch(/Inside the VM:\n[\s\S]*kernel namespaces/);
  });
});

describe('arch detection', () => {
  it('maps aarch64 to arm64 and x86_64 to amd64', () => {
    expect(guestArch('aarch64')).toBe('arm64');
    expect(guestArch('x86_64')).toBe('amd64');
    expect(guestArch('riscv64')).toBeNull();
  });

  it('an aarch64 guest gets the arm64 tiny-init and koffi-linux-arm64 on its command line', () => {
    const cfg = limaConfig('/Users/ada/tiny-docker', {});
    const args = limactlShellArgs({
      cfg,
      build: archBuild(cfg, guestArch('aarch64')!),
      argv: tinyDockerArgv(cfg, ['run', '/bin/true']),
      cwd: '/Users/ada/tiny-docker/labs',
      probeToken: 'p',
      routeToken: 'r',
      hostEnv: {},
    });
    expect(args.slice(0, 6)).toEqual(['shell', '--workdir', '/Users/ada/tiny-docker/labs', 'tiny-docker', 'sudo', 'env']);
    expect(args).toContain('TINY_DOCKER_INIT=/Users/ada/tiny-docker/runtime/init/build/linux-arm64/tiny-init');
    expect(args).toContain('TINY_DOCKER_ROOT=/var/lib/tiny-docker');
    expect(args).toContain('TINY_DOCKER_IMAGES=/var/lib/tiny-docker/images');
    expect(args.join('\n')).toContain('@koromix/koffi-linux-arm64');
    expect(args.join('\n')).not.toMatch(/amd64|koffi-linux-x64/);
    expect(args.slice(-4)).toEqual(['/usr/local/bin/node', '/Users/ada/tiny-docker/bin/tiny-docker', 'run', '/bin/true']);
  });
});

describe('the limactl stand-in', () => {
  it('says in its --help and --version that it is a stand-in, not Lima', () => {
    const help = spawnSync(STANDIN, ['--help'], { encoding: 'utf8' });
    expect(help.stdout).toMatch(/limactl STAND-IN/);
    expect(help.stdout).toMatch(/NOT Lima/);
    expect(spawnSync(STANDIN, ['--version'], { encoding: 'utf8' }).stdout).toMatch(/stand-in, not Lima/);
  });
});

describe('small parsers', () => {
  it('reads limactl list --json as one object per line, skipping anything else', () => {
    const out = 'time="…" level=warning msg="x"\n{"name":"a","status":"Running","arch":"aarch64","dir":"/d/a"}\n{"name":"b","status":"Stopped","arch":"x86_64","dir":"/d/b"}\n';
    expect(parseInstanceList(out).map((i) => `${i.name}:${i.status}:${i.arch}`)).toEqual(['a:Running:aarch64', 'b:Stopped:x86_64']);
  });

  it('finds the subcommand after global options', () => {
    expect(commandOf(['--root', '/x', 'run', 'sh'])).toBe('run');
    expect(commandOf(['--version'])).toBeNull();
    expect(commandOf(['setup', 'lima'])).toBe('setup');
  });

  it('routes on darwin, or when forced, and never from inside the guest', () => {
    expect(routingWanted({}, 'darwin')).toBe(true);
    expect(routingWanted({}, 'linux')).toBe(false);
    expect(routingWanted({ TINY_DOCKER_ROUTE: 'lima' }, 'linux')).toBe(true);
    expect(routingWanted({ TINY_DOCKER_ROUTE: 'guest' }, 'darwin')).toBe(false);
  });
});
