/**
 * The cgroup v2 driver: one unified tree, one directory per container.
 *
 *   /sys/fs/cgroup/tiny-docker/<id>/memory.max      "134217728"
 *                                  /pids.max        "10"
 *                                  /cpu.max         "50000 100000"
 *
 * A controller works in a group only if its parent lists it in
 * cgroup.subtree_control, so the parent ("tiny-docker") enables memory, pids
 * and cpu for its children. v2's "no internal processes" rule forbids that
 * in a group that has processes of its own (EBUSY), so the parent nests
 * under the caller's cgroup only when the caller is the root or was
 * delegated one that allows it; otherwise it sits at <root>/tiny-docker.
 *
 * The root is a parameter: tests point it at /sys/fs/cgroup/unified (the
 * empty v2 tree of a hybrid host) or at a temporary directory laid out like
 * cgroup2.
 */
import * as path from 'node:path';
import { ConfigError } from '../errors.ts';
import type { InitStep } from '../init/protocol.ts';
import { MS } from '../sys/flags.ts';
import { mkdirKernel, rmdirKernel } from '../sys/files.ts';
import type { CgroupConfig } from './config.ts';
import { selfCgroups } from './detect.ts';
import type { CgroupDriver, CgroupFacts, CgroupStats } from './driver.ts';
import { exists, killAll, readKey, readNumber, readOptional, readProcs, rmdirCgroup, waitFor, write } from './files.ts';
import { sharesToWeight } from './parse.ts';
import { DEFAULT_PARENT } from './v1.ts';

/** Controllers enabled for containers when the tree has them (stats and limits). */
const WANTED = ['memory', 'pids', 'cpu'];

export interface V2Options {
  /** Where cgroup2 is mounted (default /sys/fs/cgroup). */
  root?: string;
  /** The caller's path in the tree, as in the "0::" line of /proc/self/cgroup (default: read it). */
  self?: string;
}

export class CgroupV2Driver implements CgroupDriver {
  readonly version = 'v2' as const;
  readonly root: string;
  private readonly self: string;

  constructor(opts: V2Options = {}) {
    this.root = opts.root ?? '/sys/fs/cgroup';
    this.self = opts.self ?? selfCgroups().v2 ?? '/';
  }

  /** The controllers this config needs that must exist (the others are used when present). */
  private required(config: CgroupConfig): string[] {
    const r: string[] = [];
    if (config.memory !== undefined) r.push('memory');
    if (config.pidsLimit !== undefined) r.push('pids');
    if (config.cpuQuota !== undefined || config.cpuShares !== undefined) r.push('cpu');
    return r;
  }

  /**
   * Make `dir` a parent whose children get `controllers`: enable them in
   * cgroup.subtree_control of every group from the root down to it (each
   * level can only pass on what its own parent gave it).
   */
  private enable(dir: string, controllers: string[]): void {
    const rel = path.relative(this.root, dir);
    let cur = this.root;
    for (const part of ['', ...rel.split('/').filter(Boolean)]) {
      cur = part ? path.join(cur, part) : cur;
      const on = (readOptional(cur, 'cgroup.subtree_control') ?? '').split(/\s+/);
      const missing = controllers.filter((c) => !on.includes(c));
      // One write per level, only when something is missing: the common case writes nothing.
      if (missing.length > 0) write(cur, 'cgroup.subtree_control', missing.map((c) => `+${c}`).join(' '));
    }
  }

  /** Parent directory: the override, else tiny-docker under the caller when allowed, else under the root. */
  parentDir(config: CgroupConfig): { dir: string; nested: boolean } {
    const parent = config.parent ?? DEFAULT_PARENT;
    if (parent.startsWith('/')) return { dir: path.join(this.root, parent), nested: false };
    return { dir: path.join(this.root, this.self, parent), nested: this.self !== '/' };
  }

  create(id: string, config: CgroupConfig, record: (facts: CgroupFacts) => void): CgroupFacts {
    const available = (readOptional(this.root, 'cgroup.controllers') ?? '').split(/\s+/).filter(Boolean);
    const missing = this.required(config).filter((c) => !available.includes(c));
    if (missing.length > 0) {
      throw new ConfigError(`the ${missing.join(', ')} cgroup controller${missing.length > 1 ? 's are' : ' is'} not available in ${this.root}, so the limit cannot be applied`);
    }
    const controllers = WANTED.filter((c) => available.includes(c));
    // lab:03-cgroups begin
    let { dir: parent, nested } = this.parentDir(config);
    mkdirKernel(parent);
    try {
      this.enable(parent, controllers);
    } catch (err) {
      // EBUSY: the caller's group holds processes, so it cannot hand controllers
      // to children (v2's "no internal processes" rule). Fall back to the root.
      if (!nested || (err as NodeJS.ErrnoException).code !== 'EBUSY') throw err;
      bestEffort(() => rmdirKernel(parent)); // the empty tiny-docker/ we just made under the caller
      parent = path.join(this.root, config.parent ?? DEFAULT_PARENT);
      mkdirKernel(parent);
      this.enable(parent, controllers);
    }
    const facts: CgroupFacts = { version: 'v2', dirs: { unified: path.join(parent, id) } };
    mkdirKernel(facts.dirs.unified!);
    record(facts);
    // lab:03-cgroups end
    return facts;
  }

  applyLimits(facts: CgroupFacts, config: CgroupConfig): void {
    const dir = facts.dirs.unified!;
    // lab:03-cgroups begin
    if (config.memory !== undefined) {
      write(dir, 'memory.max', config.memory);
      // v2 counts swap on its own (memory.swap.max), Docker's --memory-swap counts memory + swap.
      const swap = config.memorySwap === undefined ? config.memory : config.memorySwap === -1 ? 'max' : config.memorySwap - config.memory;
      if (exists(path.join(dir, 'memory.swap.max'))) write(dir, 'memory.swap.max', swap);
    }
    if (config.pidsLimit !== undefined) write(dir, 'pids.max', config.pidsLimit === -1 ? 'max' : config.pidsLimit);
    // "$QUOTA $PERIOD": the group may run QUOTA µs of every PERIOD µs.
    if (config.cpuQuota !== undefined) write(dir, 'cpu.max', `${config.cpuQuota} ${config.cpuPeriod}`);
    if (config.cpuShares !== undefined) write(dir, 'cpu.weight', sharesToWeight(config.cpuShares));
    // lab:03-cgroups end
  }

  place(facts: CgroupFacts, pid: number): void {
    // lab:03-cgroups begin
    write(facts.dirs.unified!, 'cgroup.procs', pid);
    // lab:03-cgroups end
  }

  pids(facts: CgroupFacts): number[] {
    return readProcs(facts.dirs.unified!);
  }

  /**
   * cgroup.kill (Linux 5.14+) SIGKILLs every process in the group and its
   * descendants in one write, racing no fork. Older kernels: freeze
   * (cgroup.freeze), SIGKILL each pid, thaw.
   */
  async kill(facts: CgroupFacts): Promise<void> {
    const dir = facts.dirs.unified!;
    if (!exists(dir) || this.pids(facts).length === 0) return;
    if (exists(path.join(dir, 'cgroup.kill'))) {
      write(dir, 'cgroup.kill', '1');
    } else {
      write(dir, 'cgroup.freeze', '1');
      await waitFor(() => readKey(dir, 'cgroup.events', 'frozen') === 1, 1000);
      killAll(this.pids(facts));
      write(dir, 'cgroup.freeze', '0');
    }
    // cgroup.events "populated 0": no process is left in the group.
    await waitFor(() => readKey(dir, 'cgroup.events', 'populated') !== 1, 5000);
  }

  async destroy(facts: CgroupFacts): Promise<void> {
    await this.kill(facts);
    await rmdirCgroup(facts.dirs.unified!);
  }

  stats(facts: CgroupFacts): CgroupStats {
    const dir = facts.dirs.unified!;
    const usec = readKey(dir, 'cpu.stat', 'usage_usec');
    return {
      memoryCurrent: readNumber(dir, 'memory.current'),
      memoryPeak: readNumber(dir, 'memory.peak'), // Linux 5.19+
      memoryLimit: readNumber(dir, 'memory.max'),
      pidsCurrent: readNumber(dir, 'pids.current'),
      pidsLimit: readNumber(dir, 'pids.max'),
      cpuUsageNs: usec === null ? null : usec * 1000,
    };
  }

  /** memory.events counts "oom_kill N": processes in the group the OOM killer chose. */
  oomKilled(facts: CgroupFacts): boolean {
    return (readKey(facts.dirs.unified!, 'memory.events', 'oom_kill') ?? 0) > 0;
  }

  /** One read-only cgroup2 mount; inside the cgroup namespace its root is the container's group. */
  mountSteps(): InitStep[] {
    const flags = MS.MS_RDONLY | MS.MS_NOSUID | MS.MS_NODEV | MS.MS_NOEXEC;
    return [{ op: 'MOUNT', args: ['cgroup2', '/sys/fs/cgroup', 'cgroup2', String(flags), ''] }];
  }
}

/** Best effort: ignore a failure (the directory may be in use by another container). */
function bestEffort(fn: () => void): void {
  try {
    fn();
  } catch {
    // not ours to insist on
  }
}
