/**
 * The v2 driver. This machine is hybrid: its cgroup2 tree at
 * /sys/fs/cgroup/unified is real but has no memory/pids/cpu controllers.
 * So: limits are checked against a temporary directory laid out like
 * cgroup2, and everything the real tree supports (create, place, populated,
 * cgroup.kill, the cgroup namespace, rmdir) against the real tree.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { runContainer } from '../container.ts';
import { Store } from '../store.ts';
import { HOST_ROOTFS, tempRoot } from '../../test/helpers.ts';
import { ConfigError } from '../errors.ts';
import type { CgroupFacts } from './driver.ts';
import { specFor, uniqueParent } from './test-support.ts';
import { CgroupV2Driver } from './v2.ts';

const UNIFIED = '/sys/fs/cgroup/unified';
const ID = 'a'.repeat(64);

/** A directory that looks like a cgroup2 root with memory, pids and cpu available. */
function fakeTree(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tdk-cg2-'));
  fs.writeFileSync(path.join(root, 'cgroup.controllers'), 'cpuset cpu io memory hugetlb pids rdma misc\n');
  fs.writeFileSync(path.join(root, 'cgroup.subtree_control'), '');
  return root;
}
const read = (...p: string[]) => fs.readFileSync(path.join(...p), 'utf8');

describe('v2 driver, files (a directory laid out like cgroup2)', () => {
  it('creates <root>/tiny-docker/<id> and enables memory, pids and cpu for its children', () => {
    const root = fakeTree();
    const d = new CgroupV2Driver({ root, self: '/' });
    let recorded: CgroupFacts | null = null;
    const facts = d.create(ID, {}, (f) => (recorded = f));
    expect(facts).toEqual({ version: 'v2', dirs: { unified: path.join(root, 'tiny-docker', ID) } });
    expect(recorded).toEqual(facts);
    expect(read(root, 'cgroup.subtree_control')).toBe('+memory +pids +cpu');
    expect(read(root, 'tiny-docker', 'cgroup.subtree_control')).toBe('+memory +pids +cpu');
    fs.rmSync(root, { recursive: true });
  });

  it('writes memory.max, memory.swap.max, pids.max, cpu.max and cpu.weight', () => {
    const root = fakeTree();
    const d = new CgroupV2Driver({ root, self: '/' });
    const config = { memory: 134217728, memorySwap: 268435456, pidsLimit: 10, cpuQuota: 50000, cpuPeriod: 100000, cpuShares: 512 };
    const facts = d.create(ID, config, () => undefined);
    const dir = facts.dirs.unified!;
    fs.writeFileSync(path.join(dir, 'memory.swap.max'), 'max\n'); // the kernel makes it; here we must
    d.applyLimits(facts, config);
    expect(read(dir, 'memory.max')).toBe('134217728');
    expect(read(dir, 'memory.swap.max')).toBe('134217728'); // swap alone: 256m total - 128m memory
    expect(read(dir, 'pids.max')).toBe('10');
    expect(read(dir, 'cpu.max')).toBe('50000 100000');
    expect(read(dir, 'cpu.weight')).toBe('20');
    d.place(facts, 4242);
    expect(read(dir, 'cgroup.procs')).toBe('4242');
    fs.rmSync(root, { recursive: true });
  });

  it('writes "max" for -1 (no limit)', () => {
    const root = fakeTree();
    const d = new CgroupV2Driver({ root, self: '/' });
    const facts = d.create(ID, { pidsLimit: -1 }, () => undefined);
    d.applyLimits(facts, { pidsLimit: -1 });
    expect(read(facts.dirs.unified!, 'pids.max')).toBe('max');
    fs.rmSync(root, { recursive: true });
  });

  it('reads stats and OOM kills from memory.current, memory.peak, pids.current, cpu.stat, memory.events', () => {
    const root = fakeTree();
    const d = new CgroupV2Driver({ root, self: '/' });
    const facts = d.create(ID, {}, () => undefined);
    const dir = facts.dirs.unified!;
    const put = (f: string, v: string) => fs.writeFileSync(path.join(dir, f), v);
    put('memory.current', '1048576\n');
    put('memory.peak', '2097152\n');
    put('memory.max', 'max\n');
    put('pids.current', '3\n');
    put('pids.max', '10\n');
    put('cpu.stat', 'usage_usec 1500\nuser_usec 1000\nsystem_usec 500\n');
    put('memory.events', 'low 0\nhigh 0\nmax 4\noom 1\noom_kill 0\n');
    expect(d.stats(facts)).toEqual({ memoryCurrent: 1048576, memoryPeak: 2097152, memoryLimit: null, pidsCurrent: 3, pidsLimit: 10, cpuUsageNs: 1500000 });
    expect(d.oomKilled(facts)).toBe(false);
    put('memory.events', 'low 0\nhigh 0\nmax 9\noom 2\noom_kill 1\n');
    expect(d.oomKilled(facts)).toBe(true);
    fs.rmSync(root, { recursive: true });
  });

  it('nests under the caller when the caller is not the root, and honours an absolute --cgroup-parent', () => {
    const root = fakeTree();
    fs.mkdirSync(path.join(root, 'user.slice'));
    fs.writeFileSync(path.join(root, 'user.slice', 'cgroup.subtree_control'), '');
    const d = new CgroupV2Driver({ root, self: '/user.slice' });
    expect(d.create(ID, {}, () => undefined).dirs.unified).toBe(path.join(root, 'user.slice', 'tiny-docker', ID));
    expect(d.create(ID, { parent: '/ci' }, () => undefined).dirs.unified).toBe(path.join(root, 'ci', ID));
    fs.rmSync(root, { recursive: true });
  });

  it('refuses a limit whose controller the tree does not have, before making anything', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tdk-cg2-'));
    fs.writeFileSync(path.join(root, 'cgroup.controllers'), 'hugetlb\n');
    const d = new CgroupV2Driver({ root, self: '/' });
    expect(() => d.create(ID, { memory: 134217728 }, () => undefined)).toThrow(ConfigError);
    expect(fs.readdirSync(root)).toEqual(['cgroup.controllers']);
    fs.rmSync(root, { recursive: true });
  });

  it('gives the init steps for a read-only cgroup2 mount at /sys/fs/cgroup', () => {
    const [step] = new CgroupV2Driver({ root: '/nowhere', self: '/' }).mountSteps();
    expect(step!.op).toBe('MOUNT');
    expect(step!.args.slice(0, 3)).toEqual(['cgroup2', '/sys/fs/cgroup', 'cgroup2']);
    expect(Number(step!.args[3]) & 1).toBe(1); // MS_RDONLY
  });
});

describe('v2 driver on the real cgroup2 tree (/sys/fs/cgroup/unified)', () => {
  const parent = uniqueParent('v2');
  const parentDir = path.join(UNIFIED, parent);
  afterAll(() => {
    if (fs.existsSync(parentDir)) fs.rmdirSync(parentDir);
  });

  it('creates a group, places a process (populated 1), kills it with cgroup.kill and removes the group', async () => {
    const d = new CgroupV2Driver({ root: UNIFIED, self: '/' });
    const facts = d.create('b'.repeat(64), { parent }, () => undefined);
    const dir = facts.dirs.unified!;
    expect(fs.existsSync(path.join(dir, 'cgroup.kill'))).toBe(true);
    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    const exited = new Promise<NodeJS.Signals | null>((r) => child.once('exit', (_c, s) => r(s)));
    d.place(facts, child.pid!);
    expect(d.pids(facts)).toEqual([child.pid]);
    expect(read(dir, 'cgroup.events')).toMatch(/^populated 1$/m);
    await d.destroy(facts); // cgroup.kill, wait for populated 0, rmdir
    expect(await exited).toBe('SIGKILL');
    expect(fs.existsSync(dir)).toBe(false);
    await d.destroy(facts); // safe to run twice
  });

  it('runs a container whose cgroup namespace makes its own group the root of a read-only cgroup2 mount', async () => {
    const root = tempRoot('cg-v2');
    const spec = await specFor(['--rm', '--rootfs', HOST_ROOTFS, '/bin/sh', '-c',
      'cat /proc/self/cgroup; echo ---; cat /sys/fs/cgroup/cgroup.procs; echo ---; grep " /sys/fs/cgroup " /proc/self/mountinfo; touch /sys/fs/cgroup/x 2>&1; r=$?; sleep 0.5; exit $r']);
    spec.features.cgroups = { driver: 'v2', root: UNIFIED, parent };
    const c = await runContainer(spec, { store: new Store(root), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    c.stdout!.on('data', (b: Buffer) => (out += b));
    c.stderr!.on('data', (b: Buffer) => (out += b));
    // While it runs, the host sees the container's group under our parent.
    const groups = fs.readdirSync(parentDir).filter((e) => /^[0-9a-f]{64}$/.test(e));
    const status = await c.wait();
    expect(status.exitCode).toBe(1); // the touch fails
    const [cg, procs, mnt] = out.split('---\n');
    expect(cg).toMatch(/^0::\/$/m); // its own group is "/" inside
    expect(procs!.trim().split('\n')[0]).toBe('1'); // PID 1 is in the group the mount shows
    expect(mnt).toMatch(/ \/sys\/fs\/cgroup ro,.* - cgroup2 /);
    expect(out).toMatch(/Read-only file system/);
    expect(groups).toEqual([spec.id]);
    expect(fs.readdirSync(parentDir).filter((e) => /^[0-9a-f]{64}$/.test(e))).toEqual([]);
    fs.rmSync(root, { recursive: true, force: true });
  });
});
