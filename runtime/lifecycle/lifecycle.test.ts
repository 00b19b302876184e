/**
 * The seed's session and the lifecycle commands, end to end: real detached
 * containers under a private state root, driven through the CLI.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BIN, cli, HOST_ROOTFS, mountCount, stateEntries, tempRoot } from '../../test/helpers.ts';
import { cliAsync, processesMentioning, until } from './test-helpers.ts';

let root: string;
let mountsBefore: number;
const run = (args: string[], timeoutMs?: number) => cli(root, args, timeoutMs ? { timeoutMs } : {});
const runD = (...command: string[]) => {
  const r = run(['run', '-d', '--rootfs', HOST_ROOTFS, ...command]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return r.stdout.trim();
};
const stateOf = (id: string) => JSON.parse(run(['inspect', id]).stdout)[0].State;

beforeAll(() => {
  root = tempRoot('lifecycle');
  mountsBefore = mountCount();
});

afterAll(() => {
  const ids = stateEntries(root);
  if (ids.length) cli(root, ['rm', '-f', ...ids]);
  fs.rmSync(root, { recursive: true, force: true });
});

describe('the seed session', () => {
  test('run -d, ps, logs -f, stop, ps -a, rm leaves no trace', async () => {
    const id = runD('/bin/sh', '-c', 'while true; do date; sleep 1; done');
    expect(id).toMatch(/^[0-9a-f]{64}$/);

    const ps = run(['ps']);
    expect(ps.stdout.split('\n')[0]).toMatch(/^ID\s+STATUS\s+PID\s+CREATED\s+COMMAND\s+NAME$/);
    const row = ps.stdout.split('\n').find((l) => l.startsWith(id.slice(0, 12)))!;
    expect(row).toMatch(/running\s+\d+/);
    const pid = Number(/running\s+(\d+)/.exec(row)![1]);
    expect(run(['ps', '-q']).stdout).toBe(`${id.slice(0, 12)}\n`);
    expect(fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8')).toContain('while true');

    // logs -f streams while it runs and returns once it is stopped.
    const follow = cliAsync(root, ['logs', '-f', id]);
    await new Promise((r) => setTimeout(r, 2500));
    const started = Date.now();
    const stop = run(['stop', '-t', '2', id]);
    expect(stop.code).toBe(0);
    // sh as PID 1 ignores SIGTERM (no handler): SIGKILL after the 2 s grace.
    expect(Date.now() - started).toBeLessThan(2000 + 3000);
    const logs = await follow;
    expect(logs.code).toBe(0);
    expect(logs.stdout.trim().split('\n').length).toBeGreaterThanOrEqual(2);
    expect(logs.stdout).toMatch(/UTC \d{4}/);

    expect(run(['ps']).stdout).not.toContain(id.slice(0, 12));
    expect(run(['ps', '-a']).stdout).toMatch(new RegExp(`${id.slice(0, 12)}\\s+exited \\(137\\)`));
    expect(run(['logs', '--tail', '1', '--timestamps', id]).stdout).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z .*UTC/);

    expect(run(['rm', id]).code).toBe(0);
    expect(stateEntries(root)).toEqual([]);
    expect(processesMentioning(id)).toEqual([]);
    expect(mountCount()).toBe(mountsBefore);
    expect(run(['ps', '-a']).stdout.trim().split('\n')).toHaveLength(1);
  });

  test('a container that ignores SIGTERM stops after -t 1 with 137', () => {
    const id = runD('/bin/sh', '-c', 'trap "" TERM; while true; do sleep 0.2; done');
    const stop = run(['stop', '-t', '1', id]);
    expect(stop.code).toBe(0);
    expect(run(['wait', id]).stdout.trim()).toBe('137');
    expect(stateOf(id)).toMatchObject({ Status: 'exited', Running: false, ExitCode: 137 });
    expect(run(['rm', id]).code).toBe(0);
  });

  test('a container that handles SIGTERM exits with its own code', () => {
    const id = runD('/bin/sh', '-c', 'trap "echo bye; exit 3" TERM; while true; do sleep 0.2; done');
    expect(run(['stop', id]).code).toBe(0);
    expect(run(['wait', id]).stdout.trim()).toBe('3');
    expect(run(['logs', id]).stdout).toContain('bye');
    run(['rm', id]);
  });

  test('stdout and stderr are logged apart, and a last line without a newline is kept', () => {
    const id = runD('/bin/sh', '-c', 'echo out; echo err >&2; printf tail');
    expect(run(['wait', id]).stdout).toBe('0\n');
    const logs = run(['logs', id]);
    expect(logs.stdout).toBe('out\ntail\n');
    expect(logs.stderr).toBe('err\n');
    expect(run(['logs', '--tail', '1', id]).stdout).toBe('tail\n');
    run(['rm', id]);
  });

  test('--rm removes a detached container and its monitor after it exits', async () => {
    const id = runD('--rm', '/bin/sh', '-c', 'exit 4');
    await until('--rm removal', () => !stateEntries(root).includes(id) || null);
    await until('the monitor to exit', () => processesMentioning(id).length === 0 || null);
    expect(run(['inspect', id]).code).toBe(1);
  });

  test('a duplicate --name is refused by run -d with one line, and the first container is untouched', () => {
    const id = runD('--name', 'only-one', '/bin/sleep', '1000');
    const r = run(['run', '-d', '--name', 'only-one', '--rootfs', HOST_ROOTFS, '/bin/true']);
    expect(r.code).toBe(125);
    expect(r.stderr).toMatch(/the container name "only-one" is already in use/);
    expect(stateOf('only-one')).toMatchObject({ Running: true });
    expect(run(['rm', '-f', 'only-one']).stdout).toBe('only-one\n');
    expect(stateEntries(root)).not.toContain(id);
  });

  test('kill -s sends the signal; kill defaults to SIGKILL; wait prints the code', () => {
    // PID 1 of a PID namespace only gets the signals it has a handler for (and SIGKILL).
    const id = runD('/bin/sh', '-c', 'trap "exit 42" USR1; while true; do sleep 0.2; done');
    expect(run(['kill', '-s', 'USR1', id.slice(0, 10)])).toMatchObject({ code: 0, stdout: `${id.slice(0, 10)}\n` });
    expect(run(['wait', id]).stdout.trim()).toBe('42');
    run(['rm', id]);
    const other = runD('/bin/sleep', '1000');
    expect(run(['kill', other]).code).toBe(0);
    expect(run(['wait', other]).stdout.trim()).toBe('137');
    run(['rm', other]);
  });
});

describe('exec', () => {
  let id: string;
  beforeAll(() => {
    id = runD('--hostname', 'exec-box', '/bin/sh', '-c', 'while true; do sleep 1; done');
  });
  afterAll(() => void run(['rm', '-f', id]));

  test("exec ID hostname prints the container's hostname", () => {
    expect(run(['exec', id, 'hostname'])).toMatchObject({ code: 0, stdout: 'exec-box\n' });
  });

  test("exec ID cat /proc/1/cmdline shows the container's PID 1", () => {
    expect(run(['exec', id, 'cat', '/proc/1/cmdline']).stdout.split('\0')[0]).toBe('/bin/sh');
  });

  test('the exec\'d process shows up in ps inside, in the same namespaces and cgroups', () => {
    const ps = run(['exec', id, 'ps', '-eo', 'pid,args']);
    expect(ps.stdout).toMatch(/^\s*1 \/bin\/sh -c while/m);
    expect(ps.stdout).toMatch(/ps -eo pid,args/);
    const pid1 = stateOf(id).Pid;
    const host = (k: string) => fs.readlinkSync(`/proc/${pid1}/ns/${k}`);
    const inside = run(['exec', id, 'sh', '-c', 'for k in mnt uts ipc net pid cgroup; do readlink /proc/self/ns/$k; done']).stdout.trim().split('\n');
    expect(inside).toEqual(['mnt', 'uts', 'ipc', 'net', 'pid', 'cgroup'].map(host));
    // Inside the cgroup namespace both read relative to the container's own
    // group ("/"); a process left outside it would show "/.." paths instead.
    const cg = run(['exec', id, 'sh', '-c', 'cat /proc/self/cgroup; echo ---; cat /proc/1/cgroup']).stdout.split('---\n');
    expect(cg[0]).toBe(cg[1]);
    expect(cg[0]).not.toContain('..');
  });

  test('exec passes -e, -w, stdin with -i, and the exit code', () => {
    const r = cli(root, ['exec', '-i', '-e', 'GREETING=hi', '-w', '/tmp', id, 'sh', '-c', 'read x; echo "$GREETING $x $(pwd)"; exit 7'], { input: 'there\n' });
    expect(r).toMatchObject({ code: 7, stdout: 'hi there /tmp\n' });
    expect(run(['exec', id, 'no-such-command'])).toMatchObject({ code: 127 });
  });
});

describe('faults', () => {
  test('kill -9 of the monitor: the container is still reported, stops, and can be removed', async () => {
    const id = runD('/bin/sh', '-c', 'while true; do sleep 0.2; done');
    const monitor = JSON.parse(fs.readFileSync(path.join(root, 'containers', id, 'state.json'), 'utf8')).monitorPid as number;
    process.kill(monitor, 'SIGKILL');
    await until('the monitor to die', () => !processesMentioning(id).includes(monitor) || null);
    expect(stateOf(id)).toMatchObject({ Status: 'running', Running: true });
    expect(run(['stop', '-t', '1', id]).code).toBe(0);
    // Nobody could collect the exit status: it is reported as dead, honestly.
    expect(stateOf(id)).toMatchObject({ Status: 'dead', Running: false, ExitCode: null });
    expect(run(['ps', '-a']).stdout).toMatch(new RegExp(`${id.slice(0, 12)}\\s+dead`));
    expect(run(['rm', id]).code).toBe(0);
    expect(stateEntries(root).filter((e) => e === id)).toEqual([]);
  });

  test('kill -9 of the container PID 1 is recorded as 137', async () => {
    const id = runD('/bin/sleep', '1000');
    process.kill(stateOf(id).Pid, 'SIGKILL');
    expect(run(['wait', id]).stdout.trim()).toBe('137');
    expect(stateOf(id)).toMatchObject({ Status: 'exited', ExitCode: 137, OOMKilled: false });
    run(['rm', id]);
  });

  test('a foreground run whose CLI is killed -9 shows as dead and can be removed', async () => {
    const child = (await import('node:child_process')).spawn(BIN, ['--root', root, 'run', '--name', 'crashy', '--rootfs', HOST_ROOTFS, '/bin/sleep', '1000'], { stdio: 'ignore' });
    const pid1 = await until('the container to run', () => {
      const r = run(['inspect', 'crashy']);
      return r.code === 0 && JSON.parse(r.stdout)[0].State.Running ? (JSON.parse(r.stdout)[0].State.Pid as number) : null;
    });
    child.kill('SIGKILL');
    // tiny-init's PDEATHSIG takes the container down with its CLI.
    await until('the container to die', () => !fs.existsSync(`/proc/${pid1}`) || null);
    expect(stateOf('crashy')).toMatchObject({ Status: 'dead', Running: false });
    expect(run(['rm', 'crashy']).code).toBe(0);
    expect(run(['ps', '-a']).stdout).not.toContain('crashy');
  });

  test('a corrupt state file: ps names it and still lists the rest; rm -f removes it', () => {
    const good = runD('/bin/sleep', '1000');
    const bad = 'b'.repeat(64);
    fs.mkdirSync(path.join(root, 'containers', bad));
    fs.writeFileSync(path.join(root, 'containers', bad, 'state.json'), '{"id": "bbbb", "stat');
    const ps = run(['ps', '-a']);
    expect(ps.code).toBe(0);
    expect(ps.stderr).toContain('bbbbbbbbbbbb');
    expect(ps.stderr.trim().split('\n')).toHaveLength(1);
    expect(ps.stdout).toContain(good.slice(0, 12));
    expect(run(['rm', '-f', bad, good]).code).toBe(0);
    expect(stateEntries(root).filter((e) => e === bad || e === good)).toEqual([]);
  });
});

describe('bad input gets one clear line and touches nothing else', () => {
  let id: string;
  beforeAll(() => {
    id = runD('/bin/sleep', '1000');
  });
  afterAll(() => void run(['rm', '-f', id]));

  const oneLine = (r: { stderr: string }) => r.stderr.split('\n').filter((l) => l && !l.startsWith('hint:'));

  test.each([
    ['an unknown id', ['inspect', 'feedfacefeed'], 1, /No such container: feedfacefeed/],
    ['logs of an unknown id', ['logs', 'nope-nothing'], 1, /No such container/],
    ['stop -t -5', ['stop', '-t', '-5', 'x'], 125, /invalid stop timeout "-5"/],
    ['kill with a bad signal', ['kill', '-s', 'NOPE', 'x'], 125, /invalid signal "NOPE"/],
    ['ps with a bad format', ['ps', '--format', 'xml'], 125, /invalid --format/],
  ])('%s', (_what, args, code, message) => {
    const r = run(args as string[]);
    expect(r.code).toBe(code);
    expect(oneLine(r)).toHaveLength(1);
    expect(r.stderr).toMatch(message as RegExp);
  });

  test('an ambiguous id prefix', () => {
    const other = runD('/bin/true');
    // Two ids always share the empty prefix's first hex digit with probability 1/16; force a shared prefix instead:
    const dir = path.join(root, 'containers');
    const twin = id.slice(0, 1) + 'f'.repeat(63);
    fs.mkdirSync(path.join(dir, twin));
    const copy = { ...JSON.parse(fs.readFileSync(path.join(dir, other, 'state.json'), 'utf8')), id: twin, name: 'twin' };
    fs.writeFileSync(path.join(dir, twin, 'state.json'), JSON.stringify(copy));
    const r = run(['stop', id.slice(0, 1)]);
    expect(r.code).toBe(1);
    expect(oneLine(r)).toEqual([expect.stringMatching(/ambiguous container id prefix/)]);
    fs.rmSync(path.join(dir, twin), { recursive: true });
    run(['rm', '-f', other]);
    expect(stateOf(id).Running).toBe(true);
  });

  test('rm of a running container without -f', () => {
    const r = run(['rm', id]);
    expect(r.code).toBe(1);
    expect(oneLine(r)).toEqual([expect.stringMatching(/cannot remove container .* it is running/)]);
    expect(stateOf(id).Running).toBe(true);
  });

  test('exec into a stopped container', () => {
    const done = runD('/bin/true');
    run(['wait', done]);
    const r = run(['exec', done, 'hostname']);
    expect(r.code).toBe(1);
    expect(oneLine(r)).toEqual([expect.stringMatching(/is not running \(exited\)/)]);
    run(['rm', done]);
  });

  test('run -d of a missing command fails with 127 and leaves nothing', () => {
    const before = stateEntries(root).length;
    const r = run(['run', '-d', '--rootfs', HOST_ROOTFS, 'no-such-command']);
    expect(r.code).toBe(127);
    expect(oneLine(r)).toEqual([expect.stringMatching(/executable file not found/)]);
    expect(stateEntries(root).length).toBe(before);
  });
});
