/**
 * Limits on this machine's v1 controllers, through the real CLI and real
 * containers: what a user would check with cat, and what the state file says.
 * Every run uses a private --cgroup-parent, so the "nothing left behind"
 * counts are ours alone.
 */
import * as fs from 'node:fs';
import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { HOST_ROOTFS, cli, stateEntries, tempRoot } from '../../test/helpers.ts';
import { Store } from '../store.ts';
import { runContainer } from '../container.ts';
import { detectCgroupMode } from './detect.ts';
import { groupsUnder, removeParents, specFor, uniqueParent, v1ParentDirs } from './test-support.ts';

const mode = detectCgroupMode();
const root = tempRoot('cg-limits');
const parent = uniqueParent('limits');
const parents = v1ParentDirs(parent);
const run = (args: string[], cmd: string[]) => cli(root, ['run', '--rootfs', HOST_ROOTFS, '--cgroup-parent', parent, ...args, ...cmd], { timeoutMs: 60_000 });

afterAll(() => {
  removeParents(parents);
  fs.rmSync(root, { recursive: true, force: true });
});

describe.runIf(mode === 'v1' || mode === 'hybrid')('cgroup limits (v1 controllers)', () => {
  it('--memory 128m shows 134217728 in memory.limit_in_bytes inside the container', () => {
    const r = run(['--rm', '--memory', '128m'], ['cat', '/sys/fs/cgroup/memory/memory.limit_in_bytes']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('134217728\n');
    expect(r.code).toBe(0);
  });

  it("the container's own group is the root inside (cgroup namespace), mounted read-only", () => {
    const r = run(['--rm', '--memory', '64m'], ['/bin/sh', '-c', 'cat /proc/self/cgroup; cat /sys/fs/cgroup/memory/cgroup.procs; touch /sys/fs/cgroup/memory/x 2>&1; echo touch=$?']);
    expect(r.stdout).toMatch(/^\d+:memory:\/$/m);
    expect(r.stdout).toMatch(/^\d+:pids:\/$/m);
    expect(r.stdout.split('\n')).toContain('1'); // PID 1 is in the group that the mount shows
    expect(r.stdout).toMatch(/Read-only file system/);
    expect(r.stdout).toMatch(/touch=1/);
  });

  it('the host sees the group nested under its own memory cgroup, never outside it', async () => {
    const self = fs.readFileSync('/proc/self/cgroup', 'utf8').match(/^\d+:memory:(.*)$/m)![1]!;
    const store = new Store(root);
    const spec = await specFor(['--rm', '--rootfs', HOST_ROOTFS, '--cgroup-parent', parent, '--memory', '32m', 'sleep', '0.5']);
    const c = await runContainer(spec, { store, stdio: ['ignore', 'ignore', 'ignore'] });
    const facts = store.read(spec.id).facts.cgroups as { version: string; dirs: Record<string, string> };
    expect(facts.version).toBe('v1');
    expect(facts.dirs.memory).toBe(`/sys/fs/cgroup/memory${self === '/' ? '' : self}/${parent}/${spec.id}`);
    expect(fs.readFileSync(`${facts.dirs.memory}/cgroup.procs`, 'utf8').trim()).toBe(String(c.pid));
    expect((await c.wait()).exitCode).toBe(0);
    expect(fs.existsSync(facts.dirs.memory!)).toBe(false);
  });

  it('a process allocating 64 MiB under --memory 16m is OOM-killed: exit 137 and oomKilled in the state', () => {
    const r = run(['--name', 'oom-victim', '--memory', '16m'], ['dd', 'if=/dev/zero', 'of=/dev/null', 'bs=64M', 'count=1']);
    expect(r.code).toBe(137);
    const store = new Store(root);
    const state = store.read(store.resolve('oom-victim'));
    expect(state.status).toBe('exited');
    expect(state.exitCode).toBe(137);
    expect(state.oomKilled).toBe(true);
    expect(groupsUnder(parents)).toEqual([]); // the group went with the process, the state stays
    store.remove(state.id);
  });

  it('a container that stays within its memory is not reported as OOM-killed', () => {
    const r = run(['--name', 'no-oom', '--memory', '64m'], ['dd', 'if=/dev/zero', 'of=/dev/null', 'bs=1M', 'count=4']);
    expect(r.code).toBe(0);
    const store = new Store(root);
    const state = store.read(store.resolve('no-oom'));
    expect(state.oomKilled).toBe(false);
    store.remove(state.id);
  });

  it('--pids-limit 10 stops a fork loop, and the host can still fork', () => {
    const r = run(['--rm', '--pids-limit', '10'], ['/bin/sh', '-c', 'cat /sys/fs/cgroup/pids/pids.max; for i in $(seq 50); do sleep 5 & done; echo all-forked']);
    expect(r.stdout).toMatch(/^10$/m);
    expect(r.stdout).not.toMatch(/all-forked/);
    expect(r.stderr).toMatch(/fork/i); // dash: "Cannot fork"
    expect(r.code).not.toBe(0);
    expect(spawnSync('/bin/true').status).toBe(0);
    expect(groupsUnder(parents)).toEqual([]); // and the sleeps that did start went with PID 1
  });

  it('--cpus 0.5 writes a 50000 µs quota per 100000 µs period, --cpu-shares writes cpu.shares', () => {
    const r = run(['--rm', '--cpus', '0.5', '--cpu-shares', '512'], ['cat', '/sys/fs/cgroup/cpu/cpu.cfs_quota_us', '/sys/fs/cgroup/cpu/cpu.cfs_period_us', '/sys/fs/cgroup/cpu/cpu.shares']);
    expect(r.stdout).toBe('50000\n100000\n512\n');
    expect(r.code).toBe(0);
  });

  it('stats --no-stream reads memory, pids and cpu from a running container', async () => {
    const store = new Store(root);
    const spec = await specFor(['--rm', '--name', 'stats-me', '--rootfs', HOST_ROOTFS, '--cgroup-parent', parent, '--memory', '64m', '--pids-limit', '20',
      '/bin/sh', '-c', 'dd if=/dev/zero of=/dev/null bs=4M count=1 2>/dev/null; sleep 3']);
    const c = await runContainer(spec, { store, stdio: ['ignore', 'ignore', 'ignore'] });
    await new Promise((r) => setTimeout(r, 500));
    const json = cli(root, ['stats', '--no-stream', '--json', 'stats-me']);
    const table = cli(root, ['stats', '--no-stream', spec.id.slice(0, 12)]);
    c.kill('SIGKILL');
    await c.wait();
    expect(json.code).toBe(0);
    const s = JSON.parse(json.stdout);
    expect(s.name).toBe('stats-me');
    expect(s.memoryLimit).toBe(67108864);
    expect(s.memoryPeak).toBeGreaterThan(4 * 1024 * 1024); // dd's 4 MiB buffer
    expect(s.memoryCurrent).toBeGreaterThan(0);
    expect(s.pidsCurrent).toBeGreaterThanOrEqual(2); // sh and sleep
    expect(s.pidsLimit).toBe(20);
    expect(s.cpuUsageNs).toBeGreaterThan(0);
    expect(table.stdout).toMatch(/stats-me .* \/ 64MiB .* \/ 20/);
    const gone = cli(root, ['stats', '--no-stream', 'stats-me']);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/No such container/);
  });

  it.each([
    ['--memory', '12xb'],
    ['--memory', '-1'],
    ['--memory', '1k'],
    ['--memory', '0'],
    ['--memory', '99999999999999g'],
    ['--pids-limit', '0'],
    ['--cpus', '0'],
    ['--cpus', '999'],
    ['--cpu-shares', '1'],
    ['--cgroup-parent', '../escape'],
  ])('%s %s exits 125 with one line and leaves no cgroup behind', (flag, value) => {
    const r = run(['--rm', flag, value], ['/bin/true']);
    expect(r.code).toBe(125);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^tiny-docker: invalid|^tiny-docker: --/);
    expect(r.stdout).toBe('');
    expect(groupsUnder(parents)).toEqual([]);
    expect(stateEntries(root)).toEqual([]);
  });
});
