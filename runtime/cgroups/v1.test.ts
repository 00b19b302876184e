/**
 * The v1 driver on this machine's real v1 hierarchies: groups nest under
 * the caller's own cgroup, and kill() freezes, SIGKILLs and thaws even
 * processes outside any PID namespace (where nothing else would reap them).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { cgroupMounts, detectCgroupMode, parseProcCgroup } from './detect.ts';
import { CgroupV1Driver } from './v1.ts';
import { removeParents, uniqueParent, v1ParentDirs } from './test-support.ts';

const mode = detectCgroupMode();
const parent = uniqueParent('v1');
const ID = 'c'.repeat(64);

afterAll(() => removeParents(v1ParentDirs(parent)));

/** True while pid exists and is not a zombie (a killed process waiting for its parent to reap it). */
function running(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

describe('parseProcCgroup', () => {
  it('maps each v1 controller to its path, co-mounted ones included, and finds the v2 line', () => {
    const p = parseProcCgroup('4:memory:/process_api/abc\n2:cpu,cpuacct:/\n9:name=systemd:/\n0::/user.slice\n');
    expect(p.v1.get('memory')).toBe('/process_api/abc');
    expect(p.v1.get('cpu')).toBe('/');
    expect(p.v1.get('cpuacct')).toBe('/');
    expect(p.v2).toBe('/user.slice');
  });
});

describe('v1 driver, mounts inside the container', () => {
  it('mounts a tmpfs, one read-only cgroup per hierarchy (co-mounted ones once, with symlinks), then makes the tmpfs read-only', () => {
    const d = new CgroupV1Driver({
      mounts: [
        { fstype: 'cgroup', mountPoint: '/sys/fs/cgroup/memory', controllers: ['memory'] },
        { fstype: 'cgroup', mountPoint: '/sys/fs/cgroup/cpu,cpuacct', controllers: ['cpu', 'cpuacct'] },
      ],
      self: parseProcCgroup('3:memory:/job\n2:cpu,cpuacct:/\n'),
    });
    expect(d.dirFor('memory', ID)).toBe(`/sys/fs/cgroup/memory/job/tiny-docker/${ID}`);
    expect(d.dirFor('cpu', ID, '/abs')).toBe(`/sys/fs/cgroup/cpu,cpuacct/abs/${ID}`);
    const steps = d.mountSteps({ version: 'v1', dirs: { memory: 'x', cpu: 'y', cpuacct: 'y' } });
    expect(steps.map((s) => [s.op, ...s.args.slice(0, 3), s.args[4] ?? ''])).toEqual([
      ['MOUNT', 'tmpfs', '/sys/fs/cgroup', 'tmpfs', 'mode=755'],
      ['MOUNT', 'cgroup', '/sys/fs/cgroup/memory', 'cgroup', 'memory'],
      ['MOUNT', 'cgroup', '/sys/fs/cgroup/cpu,cpuacct', 'cgroup', 'cpu,cpuacct'],
      ['SYMLINK', 'cpu,cpuacct', '/sys/fs/cgroup/cpu', ''],
      ['SYMLINK', 'cpu,cpuacct', '/sys/fs/cgroup/cpuacct', ''],
      ['MOUNT', '', '/sys/fs/cgroup', '', ''],
    ]);
  });
});

describe.runIf(mode === 'v1' || mode === 'hybrid')('v1 driver on the real hierarchies', () => {
  it('nests every group under the caller, and makes cpu only when a cpu limit asks for it', () => {
    const d = new CgroupV1Driver();
    const self = parseProcCgroup(fs.readFileSync('/proc/self/cgroup', 'utf8'));
    const facts = d.create(ID, { parent }, () => undefined);
    expect(Object.keys(facts.dirs).sort()).toEqual(['cpuacct', 'freezer', 'memory', 'pids']);
    const memMount = cgroupMounts().find((m) => m.controllers.includes('memory'))!.mountPoint;
    expect(facts.dirs.memory).toBe(path.join(memMount, self.v1.get('memory')!, parent, ID));
    for (const dir of Object.values(facts.dirs)) expect(fs.statSync(dir).isDirectory()).toBe(true);
    return d.destroy(facts);
  });

  it('kills a process that is in no PID namespace (freeze, SIGKILL, thaw), then removes every directory; twice is fine', async () => {
    const d = new CgroupV1Driver();
    const facts = d.create(ID, { parent, memory: 32 * 1024 * 1024, pidsLimit: 5 }, () => undefined);
    d.applyLimits(facts, { memory: 32 * 1024 * 1024, pidsLimit: 5 });
    expect(fs.readFileSync(path.join(facts.dirs.memory!, 'memory.limit_in_bytes'), 'utf8').trim()).toBe('33554432');
    expect(fs.readFileSync(path.join(facts.dirs.pids!, 'pids.max'), 'utf8').trim()).toBe('5');
    // A shell and its child, both placed (the child is forked after placement, so it is inside too).
    const sh = spawn('/bin/sh', ['-c', 'read x; sleep 30 & wait'], { stdio: ['pipe', 'ignore', 'ignore'] });
    const exited = new Promise<NodeJS.Signals | null>((r) => sh.once('exit', (_c, s) => r(s)));
    d.place(facts, sh.pid!);
    sh.stdin!.write('go\n');
    await new Promise((r) => setTimeout(r, 200));
    const pids = d.pids(facts);
    expect(pids).toHaveLength(2);
    expect(d.stats(facts).pidsCurrent).toBe(2);
    expect(d.oomKilled(facts)).toBe(false);
    await d.destroy(facts);
    expect(await exited).toBe('SIGKILL');
    for (const pid of pids) expect(running(pid)).toBe(false);
    for (const dir of Object.values(facts.dirs)) expect(fs.existsSync(dir)).toBe(false);
    await d.destroy(facts);
  });
});
