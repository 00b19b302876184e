/**
 * `tiny-docker setup lima` against the limactl STAND-IN: it creates and
 * starts the "instance", builds the rootfs on the (temporary) guest disk,
 * proves the shared path and runs a real hello-world container. Run twice,
 * the second run changes nothing.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, mountCount, stateEntries } from '../test/helpers.ts';
import { routed, sandbox, type Sandbox } from './testing/standin.ts';

let sb: Sandbox;
let mountsBefore: number;
const INSTANCE = `td-setup-${process.pid}`;
const rendered = path.join(ROOT, '.tiny-docker', 'lima', `${INSTANCE}.yaml`);

beforeAll(() => {
  sb = sandbox('setup');
  sb.env.TINY_DOCKER_LIMA_INSTANCE = INSTANCE;
  mountsBefore = mountCount();
});

afterAll(() => {
  try {
    fs.rmSync(rendered, { force: true });
    expect(stateEntries(sb.guestDir)).toEqual([]);
    expect(mountCount()).toBe(mountsBefore);
  } finally {
    sb.cleanup(); // even when a leak check above fails
  }
});

const steps = (stderr: string) => [...stderr.matchAll(/^\[(\d)\/9\] (.*) …$/gm)].map((m) => `${m[1]} ${m[2]}`);
const outcomes = (stderr: string) => [...stderr.matchAll(/^\s+(done|already done|ok): /gm)].map((m) => m[1]);

describe('tiny-docker setup lima (against the limactl stand-in)', () => {
  let first: ReturnType<typeof routed>;

  it('performs its steps in order, creating and starting the instance', () => {
    first = routed(sb, ['setup', 'lima'], { cwd: ROOT });
    expect(first.stderr + first.stdout).not.toMatch(/internal error/);
    expect(first.code).toBe(0);
    expect(steps(first.stderr)).toEqual([
      '1 check limactl',
      '2 render the template',
      `3 create the instance "${INSTANCE}"`,
      '4 start it and wait until it is ready',
      '5 provision (node >= 20, cc, ip, iptables, busybox)',
      '6 build for the guest arch (linux-amd64)',
      '7 prepare the rootfs on the guest disk',
      '8 validate the shared path (host → guest → host)',
      '9 run a hello-world container',
    ]);
    expect(outcomes(first.stderr).slice(0, 4)).toEqual(['ok', 'done', 'done', 'done']);
    expect(first.stderr).toMatch(/hello from [0-9a-f]{12} in Lima/);
    // the stand-in saw create before start, and the rendered template it was given mounts this checkout
    const calls = sb.calls().map((c) => c.split(' ')[0]);
    expect(calls.indexOf('create')).toBeLessThan(calls.indexOf('start'));
    const made = fs.readFileSync(path.join(sb.dir, 'instances', INSTANCE, 'lima.yaml'), 'utf8');
    expect(made).toContain(`location: ${JSON.stringify(ROOT)}`);
    // the rootfs was built on the guest's disk, not in the shared checkout
    expect(fs.existsSync(path.join(sb.guestDir, 'images', 'host', '.tiny-docker-image'))).toBe(true);
  }, 180_000);

  it('a second run changes nothing', () => {
    const stateBefore = fs.readFileSync(sb.state, 'utf8');
    const renderedBefore = fs.statSync(rendered).mtimeMs;
    const marker = path.join(sb.guestDir, 'images', 'host', '.tiny-docker-image');
    const markerBefore = fs.statSync(marker).mtimeMs;
    const callsBefore = sb.calls().length;

    const second = routed(sb, ['setup', 'lima'], { cwd: ROOT });
    expect(second.code).toBe(0);
    expect(steps(second.stderr)).toEqual(steps(first.stderr));
    expect(outcomes(second.stderr)).toEqual(['ok', ...Array(6).fill('already done'), 'ok', 'ok']);
    expect(second.stdout).toMatch(/nothing to change/);
    const newCalls = sb.calls().slice(callsBefore).map((c) => c.split(' ')[0]);
    expect(newCalls).not.toContain('create');
    expect(newCalls).not.toContain('start');
    expect(fs.readFileSync(sb.state, 'utf8')).toBe(stateBefore);
    expect(fs.statSync(rendered).mtimeMs).toBe(renderedBefore);
    expect(fs.statSync(marker).mtimeMs).toBe(markerBefore);
    expect(stateEntries(sb.guestDir)).toEqual([]); // the hello-world container was removed (--rm)
  }, 180_000);
});
