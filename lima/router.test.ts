/**
 * The router against the limactl STAND-IN (no Lima runs on Linux): the
 * "guest" is this machine, so a real container runs and what comes back
 * through `limactl shell` can be compared with what the container did.
 */
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, HOST_ROOTFS, mountCount, stateEntries } from '../test/helpers.ts';
import { shq } from './checks.ts';
import { containerPids, routed, routedAsync, running, sandbox, type Sandbox } from './testing/standin.ts';

let sb: Sandbox;
let mountsBefore: number;

beforeAll(() => {
  sb = sandbox('router');
  sb.setInstances([running()]);
  mountsBefore = mountCount();
});

afterAll(() => {
  try {
    // Every routed container is gone: no state left in the guest root, no mount on the host.
    expect(stateEntries(sb.guestDir)).toEqual([]);
    expect(mountCount()).toBe(mountsBefore);
  } finally {
    sb.cleanup(); // even when a leak check above fails
  }
});

const run = (cmd: string[], extra: string[] = []) => ['run', '--rm', '--rootfs', HOST_ROOTFS, ...extra, ...cmd];

describe('tiny-docker routed through the limactl stand-in (TINY_DOCKER_ROUTE=lima)', () => {
  it('runs a real container in the stand-in guest and passes its output and exit code back unchanged', () => {
    const r = routed(sb, run(['/bin/sh', '-c', 'echo "pid $$ on $(hostname)"; echo to-stderr >&2; exit 7']));
    expect(r.stdout).toMatch(/^pid 1 on [0-9a-f]{12}\n$/); // PID 1 in its own namespace: a real container
    expect(r.stderr).toContain('to-stderr');
    expect(r.code).toBe(7);
    // it went through `limactl shell … sudo …`, not around it
    expect(sb.calls().some((c) => c.startsWith('shell tiny-docker sudo env '))).toBe(true);
  });

  it('passes stdin through to the container with -i', () => {
    const r = routed(sb, run(['/bin/sh', '-c', 'tr a-z A-Z'], ['-i']), { input: 'hello through lima\n' });
    expect(r.stdout).toBe('HELLO THROUGH LIMA\n');
    expect(r.code).toBe(0);
  });

  it('passes the terminal through: with a TTY on stdout, the container sees a TTY', () => {
    // script(1) gives the router a pseudo-terminal, as a user's shell would
    const cmd = [process.execPath, BIN, ...run(['/bin/sh', '-c', 'test -t 1 && echo stdout-is-a-tty; exit 4'])].map(shq).join(' ');
    const r = spawnSync('script', ['-qec', cmd, '/dev/null'], { encoding: 'utf8', env: sb.env, input: '', timeout: 60_000 });
    expect(r.stdout).toContain('stdout-is-a-tty');
    expect(r.status).toBe(4);
  });

  it('returns 127 for a command that does not exist, with the runtime message', () => {
    const r = routed(sb, run(['/no/such/command']));
    expect(r.code).toBe(127);
    expect(r.stderr).toMatch(/no\/such\/command/);
  });

  it('returns 137 when the container is killed with SIGKILL from outside', async () => {
    const p = routedAsync(sb, run(['/bin/sh', '-c', 'echo ready; while :; do sleep 0.1; done']));
    await p.waitFor('ready');
    const pids = containerPids(sb.guestDir);
    expect(pids).toHaveLength(1);
    process.kill(pids[0]!, 'SIGKILL');
    const r = await p.result;
    expect(r.code).toBe(137);
  });

  it('delivers SIGTERM sent to the router to the container (trap → exit 143)', async () => {
    const p = routedAsync(sb, run(['/bin/sh', '-c', 'trap "echo got TERM; exit 143" TERM; echo ready; while :; do sleep 0.1; done']));
    await p.waitFor('ready');
    p.child.kill('SIGTERM');
    const r = await p.result;
    expect(r.stdout).toContain('got TERM');
    expect(r.code).toBe(143);
    // delivered in-band: a second `limactl shell` found the guest program by its route token
    expect(sb.calls().some((c) => c.includes('grep -lsxzF') && c.includes('kill -s TERM'))).toBe(true);
  });

  it('keeps --version and --help on the host (no limactl call)', () => {
    const before = sb.calls().length;
    expect(routed(sb, ['--version']).stdout).toMatch(/^tiny-docker version /);
    expect(sb.calls().length).toBe(before);
  });
});
