/**
 * The teaching trace: a traced `run /bin/true` shows every kernel step in
 * the order it happens, with flag names that decode to the numbers passed,
 * and the CLI prints it by phase and writes the same events as JSON.
 */
import { afterAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { runContainer } from '../container.ts';
import { cloneFlags, NS_FLAG, type NamespaceKind } from '../namespaces.ts';
import { Store } from '../store.ts';
import { CLONE, MS, parseFlagNames } from './flags.ts';
import { SyscallError } from './errors.ts';
import { setTracer, traced, tracing, type TraceEvent } from './trace.ts';
import { BIN, cli, makeSpec, mountCount, stateEntries, tempRoot } from '../../test/helpers.ts';

const root = tempRoot('trace');
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

async function tracedRun(command: string[]): Promise<{ events: TraceEvent[]; spec: ReturnType<typeof makeSpec> }> {
  const events: TraceEvent[] = [];
  const spec = makeSpec(command);
  setTracer({ event: (e) => void events.push(e) });
  try {
    const c = await runContainer(spec, { store: new Store(root), stdio: ['ignore', 'ignore', 'ignore'] });
    await c.wait();
  } finally {
    setTracer(null);
  }
  return { events, spec };
}

/** Index of the first event matching, failing the test with the list when absent. */
function indexOf(events: TraceEvent[], what: string, match: (e: TraceEvent) => boolean, from = 0): number {
  const i = events.findIndex((e, k) => k >= from && match(e));
  if (i < 0) throw new Error(`no ${what} in the trace:\n${events.map((e) => `  ${e.source} ${e.call}`).join('\n')}`);
  return i;
}

/** The text between the outermost parentheses after `name(`, split at top-level commas. */
function callArgs(call: string, name: string): string[] {
  const inner = call.slice(call.indexOf(`${name}(`) + name.length + 1, call.lastIndexOf(')'));
  return inner.split(/, (?=(?:[^"]*"[^"]*")*[^"]*$)/);
}

describe('the trace hook', () => {
  it('builds nothing when tracing is off', () => {
    setTracer(null);
    let described = 0;
    expect(traced(() => `x${++described}`, () => 7)).toBe(7);
    expect(described).toBe(0);
  });

  it('reports a failed call with its errno and a hint, and rethrows', () => {
    const events: TraceEvent[] = [];
    setTracer({ event: (e) => void events.push(e) });
    try {
      expect(() => traced(() => 'mount("proc", "/x/proc", "proc", MS_NOSUID)', () => {
        throw new SyscallError('mount', 1, { dst: '/x/proc' });
      })).toThrow(SyscallError);
    } finally {
      setTracer(null);
    }
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ ok: false, result: '= -1 EPERM', call: 'mount("proc", "/x/proc", "proc", MS_NOSUID)' });
    expect(events[0]!.hint).toContain('operation not permitted');
  });
});

describe('a traced run /bin/true', () => {
  it('shows the kernel steps in the order they happen', async () => {
    const { events } = await tracedRun(['/bin/true']);
    const unshare = indexOf(events, 'unshare', (e) => e.call.startsWith('unshare('));
    const overlay = indexOf(events, 'the overlay mount', (e) => e.call.startsWith('mount("overlay"'));
    const devMounts = indexOf(events, 'the /dev tmpfs mount', (e) => e.call.startsWith('mount("tmpfs"') && e.call.includes('/dev"'));
    // spawn comes before pivot_root: pivot_root(".", ".") moves the already-started tiny-init too (DESIGN.md §2).
    const spawn = indexOf(events, 'the spawn of tiny-init', (e) => e.call.startsWith('posix_spawn(') && /^= pid \d+$/.test(e.result));
    const pivot = indexOf(events, 'pivot_root', (e) => e.call.startsWith('pivot_root('));
    const restore = indexOf(events, 'the restore setns', (e) => e.call.startsWith('setns(/proc/self/ns/mnt'));
    const go = indexOf(events, 'the go signal', (e) => e.call.includes('the go signal'));
    const proc = indexOf(events, "tiny-init's /proc mount", (e) => e.source === 'init' && e.call.startsWith('mount("proc", "/proc"'));
    const exec = indexOf(events, "tiny-init's exec", (e) => e.source === 'init' && e.call.startsWith('execve("/bin/true"'));
    const exit = indexOf(events, 'the exit', (e) => e.call.startsWith('waitpid(') && e.result === '= exit 0');
    const cleanup = indexOf(events, 'the cleanup rm', (e) => e.phase === 'cleanup' && e.call.startsWith('rm -rf'));
    expect([unshare, overlay, devMounts, spawn, pivot, restore, go, proc, exec, exit, cleanup]).toEqual(
      [unshare, overlay, devMounts, spawn, pivot, restore, go, proc, exec, exit, cleanup].sort((a, b) => a - b),
    );
    // Cgroups land on another branch: when a cgroup step is there, it must sit between spawn and go.
    const cgroup = events.findIndex((e) => e.phase === 'cgroups');
    if (cgroup >= 0) expect(spawn < cgroup && cgroup < go).toBe(true);
    // The exit bar starts where the command began, and tiny-init's steps sit after the go signal on the same clock.
    expect(events[proc]!.at).toBeGreaterThanOrEqual(events[go]!.at);
    expect(events[exit]!.at).toBeGreaterThanOrEqual(events[exec]!.at);
    expect(events.every((e) => e.ok)).toBe(true);
    expect(tracing()).toBe(false);
  });

  it('names the flags that were passed', async () => {
    const { events, spec } = await tracedRun(['/bin/true']);
    const unshare = events.find((e) => e.call.startsWith('unshare('))!;
    expect(parseFlagNames(CLONE, callArgs(unshare.call, 'unshare')[0]!)).toBe(cloneFlags(spec.namespaces) >>> 0);
    // Each restore setns names the flag of the namespace file it opened.
    const setns = events.filter((e) => e.call.startsWith('setns(/proc/self/ns/'));
    expect(setns.length).toBe(5);
    for (const e of setns) {
      const [file, flag] = callArgs(e.call, 'setns');
      const kind = path.basename(file!) as NamespaceKind;
      expect(parseFlagNames(CLONE, flag!)).toBe(NS_FLAG[kind] >>> 0);
    }
    // tiny-init's /proc mount: the program sends MS_NOSUID|MS_NOEXEC|MS_NODEV as a number.
    const proc = events.find((e) => e.source === 'init' && e.call.startsWith('mount("proc"'))!;
    expect(parseFlagNames(MS, callArgs(proc.call, 'mount')[3]!)).toBe(MS.MS_NOSUID | MS.MS_NOEXEC | MS.MS_NODEV);
    const priv = events.find((e) => e.call.startsWith('mount(NULL, "/"'))!;
    expect(parseFlagNames(MS, callArgs(priv.call, 'mount')[3]!)).toBe(MS.MS_REC | MS.MS_PRIVATE);
  });
});

describe('tiny-docker run --trace', () => {
  it('still cleans up when the reader of the trace goes away (run --trace 2>&1 | head)', () => {
    const state = tempRoot('trace-epipe');
    const groups = () => (fs.existsSync('/sys/fs/cgroup/pids/tiny-docker') ? fs.readdirSync('/sys/fs/cgroup/pids/tiny-docker').length : 0);
    const [mounts, before] = [mountCount(), groups()];
    try {
      // head exits after one line: every later write to the pipe fails with EPIPE.
      const r = spawnSync('sh', ['-c', `"$0" --root "$1" run --rm --net none --trace /bin/sleep 0.2 2>&1 | head -1`, BIN, state], { encoding: 'utf8' });
      expect(r.stdout.split('\n')[0]).toBe('── validate');
      expect(stateEntries(state)).toEqual([]);
      expect(groups()).toBe(before);
      expect(mountCount()).toBe(mounts);
    } finally {
      fs.rmSync(state, { recursive: true, force: true });
    }
  });

  it('prints each step by phase on stderr and writes the same events with --trace-file', () => {
    const state = tempRoot('trace-cli');
    const file = path.join(state, 'trace.json');
    const mounts = mountCount();
    try {
      const r = cli(state, ['run', '--rm', '--net', 'none', '--trace', '--trace-file', file, '/bin/true']);
      expect(r.code).toBe(0);
      const headers = r.stderr.split('\n').filter((l) => l.startsWith('── ')).map((l) => l.slice(3));
      expect(headers.slice(0, 4)).toEqual(['validate', 'rootfs', 'namespaces', 'rootfs']);
      expect(headers).toContain('init handshake');
      expect(headers.slice(-3)).toEqual(['exec', 'wait', 'cleanup']);
      expect(r.stderr).toMatch(/unshare\(CLONE_NEWNS\|CLONE_NEWUTS\|CLONE_NEWIPC\|CLONE_NEWPID\|CLONE_NEWNET\) = 0 {2}\d+\.\d\d ms/);
      const { events } = JSON.parse(fs.readFileSync(file, 'utf8')) as { events: TraceEvent[] };
      const printed = r.stderr.split('\n').filter((l) => / ms$/.test(l));
      expect(printed.length).toBe(events.length);
      expect(events.some((e) => e.source === 'init' && e.call.startsWith('mount("proc"'))).toBe(true);
      expect(stateEntries(state)).toEqual([]);
      expect(mountCount()).toBe(mounts);
    } finally {
      fs.rmSync(state, { recursive: true, force: true });
    }
  });

  it('shows the failing step with its errno and a hint', () => {
    const state = tempRoot('trace-fail');
    try {
      const r = cli(state, ['run', '--rm', '--net', 'none', '--trace', '/bin/no-such-command'], { env: { TINY_DOCKER_TRACE: '' } });
      expect(r.code).toBe(127);
      expect(r.stderr).toMatch(/execve\("\/bin\/no-such-command".*= -1 ENOENT/);
      expect(r.stderr).toMatch(/hint: .*no such file or directory/);
      expect(stateEntries(state)).toEqual([]);
    } finally {
      fs.rmSync(state, { recursive: true, force: true });
    }
  });

  it('TINY_DOCKER_TRACE=1 turns it on without the flag', () => {
    const state = tempRoot('trace-env');
    try {
      const r = cli(state, ['run', '--rm', '--net', 'none', '/bin/true'], { env: { TINY_DOCKER_TRACE: '1' } });
      expect(r.code).toBe(0);
      expect(r.stderr).toContain('pivot_root(".", ".") = 0');
    } finally {
      fs.rmSync(state, { recursive: true, force: true });
    }
  });
});
