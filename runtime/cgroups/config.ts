/**
 * The cgroups feature's own config, as it is stored in spec.features.cgroups
 * (plain JSON, saved in state.json). Built from the run flags by the pure
 * parsers in parse.ts; checked again when a Feature is made from a spec, so
 * callers of the library API get the same one-line errors as the CLI.
 */
import { ConfigError } from '../errors.ts';
import { MAX_SHARES, MIN_CPU_QUOTA_US, MIN_MEMORY, MIN_SHARES, parseCpuShares, parseCpus, parseMemory, parseMemorySwap, parsePidsLimit } from './parse.ts';

export interface CgroupConfig {
  /** bytes (--memory) */
  memory?: number;
  /** memory + swap in bytes, or -1 for unlimited swap (--memory-swap) */
  memorySwap?: number;
  /** processes, or -1 for no limit (--pids-limit) */
  pidsLimit?: number;
  /** CFS quota and period in µs (--cpus) */
  cpuQuota?: number;
  cpuPeriod?: number;
  /** relative CPU weight, v1 units 2…262144 (--cpu-shares) */
  cpuShares?: number;
  /** where the container's group goes (--cgroup-parent); relative paths nest under the caller's cgroup */
  parent?: string;
  /** Library/test only: force a driver ('v2' on a hybrid host uses its unified tree), and v2's mount point. */
  driver?: 'v1' | 'v2';
  root?: string;
}

export interface CgroupFlags {
  memory?: string | undefined;
  memorySwap?: string | undefined;
  pidsLimit?: string | undefined;
  cpus?: string | undefined;
  cpuShares?: string | undefined;
  cgroupParent?: string | undefined;
}

/** Run flags → checked config. Throws ConfigError (exit 125) before anything exists. */
export function cgroupConfigFromFlags(f: CgroupFlags, env: NodeJS.ProcessEnv = process.env): CgroupConfig {
  const c: CgroupConfig = {};
  if (f.memory !== undefined) c.memory = parseMemory(f.memory);
  if (f.memorySwap !== undefined) c.memorySwap = parseMemorySwap(f.memorySwap, c.memory);
  if (f.pidsLimit !== undefined) c.pidsLimit = parsePidsLimit(f.pidsLimit);
  if (f.cpus !== undefined) {
    const { quota, period } = parseCpus(f.cpus);
    c.cpuQuota = quota;
    c.cpuPeriod = period;
  }
  if (f.cpuShares !== undefined) {
    const shares = parseCpuShares(f.cpuShares);
    if (shares !== undefined) c.cpuShares = shares;
  }
  const parent = f.cgroupParent ?? env.TINY_DOCKER_CGROUP_PARENT;
  if (parent !== undefined && parent !== '') c.parent = checkParent(parent);
  return c;
}

/** A cgroup path: no "..", no empty or odd components (it becomes directories in cgroupfs). */
export function checkParent(parent: string): string {
  const parts = parent.split('/').filter((p) => p !== '');
  if (parts.length === 0 || parts.some((p) => p === '.' || p === '..' || !/^[A-Za-z0-9_.:@-]+$/.test(p))) {
    throw new ConfigError(`invalid --cgroup-parent ${JSON.stringify(parent)}: use a path like tiny-docker or /my-group/containers (letters, digits, _ . : @ -)`);
  }
  return (parent.startsWith('/') ? '/' : '') + parts.join('/');
}

type Check = (c: CgroupConfig) => string | null;

const isInt = (n: unknown) => typeof n === 'number' && Number.isSafeInteger(n);

/** The same rules as the parsers, for configs that did not come from flags (library callers, state files). */
const checks: Check[] = [
  (c) => (c.memory === undefined || (isInt(c.memory) && c.memory >= MIN_MEMORY) ? null : `memory limit ${c.memory} is below the minimum of 6m (${MIN_MEMORY} bytes)`),
  (c) => (c.memorySwap === undefined || c.memorySwap === -1 || (isInt(c.memorySwap) && c.memory !== undefined && c.memorySwap >= c.memory) ? null : 'memorySwap must be -1 or at least memory (and needs memory)'),
  (c) => (c.pidsLimit === undefined || c.pidsLimit === -1 || (isInt(c.pidsLimit) && c.pidsLimit > 0) ? null : `pids limit ${c.pidsLimit} must be at least 1 (or -1)`),
  (c) => ((c.cpuQuota === undefined) === (c.cpuPeriod === undefined) ? null : 'cpuQuota and cpuPeriod go together'),
  (c) => (c.cpuQuota === undefined || (isInt(c.cpuQuota) && c.cpuQuota >= MIN_CPU_QUOTA_US && isInt(c.cpuPeriod) && c.cpuPeriod! >= 1000) ? null : `cpu quota ${c.cpuQuota} is below 1000 µs (0.01 CPUs)`),
  (c) => (c.cpuShares === undefined || (isInt(c.cpuShares) && c.cpuShares >= MIN_SHARES && c.cpuShares <= MAX_SHARES) ? null : `cpu shares ${c.cpuShares} must be in ${MIN_SHARES}…${MAX_SHARES}`),
];

export function checkCgroupConfig(c: CgroupConfig): CgroupConfig {
  for (const check of checks) {
    const problem = check(c);
    if (problem) throw new ConfigError(`invalid cgroup config: ${problem}`);
  }
  if (c.parent !== undefined) checkParent(c.parent);
  return c;
}

/** True when the container asks for any limit (not just a group to live in). */
export function hasLimits(c: CgroupConfig): boolean {
  return [c.memory, c.memorySwap, c.pidsLimit, c.cpuQuota, c.cpuShares].some((v) => v !== undefined);
}
