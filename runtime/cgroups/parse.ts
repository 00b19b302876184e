/**
 * Pure parsers for the resource flags: strings in, checked numbers out, and
 * a ConfigError (exit 125) with one clear line for anything else. Nothing
 * here touches the kernel, so bad input can never leave a cgroup behind.
 *
 *   parseMemory('128m')      → 134217728
 *   parseCpus('0.5', 2)      → { quota: 50000, period: 100000 }
 *   parsePidsLimit('10')     → 10
 *   sharesToWeight(1024)     → 39   (crun's convert_shares_to_weight)
 */
import * as os from 'node:os';
import { ConfigError } from '../errors.ts';

/** Docker refuses memory limits below 6 MiB (linuxMinMemory): a smaller container cannot even start. */
export const MIN_MEMORY = 6 * 1024 * 1024;
/** The CFS period Docker uses: quota is a share of 100 ms. */
export const CPU_PERIOD_US = 100_000;
/** The kernel refuses a CFS quota below 1 ms (1000 µs), so --cpus starts at 0.01. */
export const MIN_CPU_QUOTA_US = 1000;
/** cpu.shares range on v1 (kernel MIN_SHARES/MAX_SHARES). */
export const MIN_SHARES = 2;
export const MAX_SHARES = 262144;

const UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

/**
 * Parse a size the way Docker's RAMInBytes does: a number, an optional unit
 * b/k/m/g/t (case-insensitive, binary: 1k = 1024), and an optional trailing
 * "b" or "ib" (so 128m, 128M, 128mb and 128MiB are all the same).
 */
export function parseSize(flag: string, text: string): number {
  const m = /^(\d+(?:\.\d+)?) ?([bkmgt])?(?:i?b)?$/i.exec(text.trim());
  if (!m) {
    throw new ConfigError(`invalid value ${JSON.stringify(text)} for --${flag}: expected a size like 128m (units b, k, m, g)`);
  }
  const bytes = Math.floor(Number(m[1]) * UNITS[(m[2] ?? '').toLowerCase()]!);
  // Beyond 2^53 a JavaScript number stops counting bytes exactly; the kernel's
  // own limit (2^63) is far beyond any real machine anyway.
  if (!Number.isSafeInteger(bytes)) throw new ConfigError(`invalid value ${JSON.stringify(text)} for --${flag}: too large`);
  return bytes;
}

/** --memory: a size of at least 6m. */
export function parseMemory(text: string): number {
  const bytes = parseSize('memory', text);
  if (bytes === 0) throw new ConfigError(`invalid value ${JSON.stringify(text)} for --memory: the limit must be more than 0`);
  if (bytes < MIN_MEMORY) {
    throw new ConfigError(`invalid value ${JSON.stringify(text)} for --memory: the minimum memory limit is 6m (${MIN_MEMORY} bytes)`);
  }
  return bytes;
}

/**
 * --memory-swap: memory + swap together, as Docker means it. -1 is
 * unlimited swap. It needs --memory and must be at least as large.
 */
export function parseMemorySwap(text: string, memory: number | undefined): number | -1 {
  if (memory === undefined) throw new ConfigError('--memory-swap needs --memory as well (it is memory + swap together)');
  if (text.trim() === '-1') return -1;
  const total = parseSize('memory-swap', text);
  if (total < memory) {
    throw new ConfigError(`invalid value ${JSON.stringify(text)} for --memory-swap: it must be at least --memory (${memory} bytes), as it counts memory + swap`);
  }
  return total;
}

/** --pids-limit: a positive number of processes, or -1 for no limit (as Docker). */
export function parsePidsLimit(text: string): number | -1 {
  if (text.trim() === '-1') return -1;
  if (!/^\d+$/.test(text.trim()) || Number(text) <= 0 || !Number.isSafeInteger(Number(text))) {
    throw new ConfigError(`invalid value ${JSON.stringify(text)} for --pids-limit: expected a number of processes of at least 1 (or -1 for no limit)`);
  }
  return Number(text);
}

export interface CpuQuota {
  /** µs of CPU time the group may use in each period (cpu.cfs_quota_us; first field of cpu.max). */
  quota: number;
  /** the period in µs (cpu.cfs_period_us; second field of cpu.max). */
  period: number;
}

/** --cpus 0.5 → 50 ms of every 100 ms; at most the number of CPUs this machine has. */
export function parseCpus(text: string, cpuCount = os.availableParallelism()): CpuQuota {
  const t = text.trim();
  const n = /^\d*\.?\d+$/.test(t) ? Number(t) : NaN;
  const range = `the range is 0.01 to ${cpuCount.toFixed(2)}, as this machine has ${cpuCount} CPU${cpuCount === 1 ? '' : 's'}`;
  if (!Number.isFinite(n)) throw new ConfigError(`invalid value ${JSON.stringify(text)} for --cpus: expected a number of CPUs like 0.5 (${range})`);
  const quota = Math.round(n * CPU_PERIOD_US);
  if (quota < MIN_CPU_QUOTA_US || n > cpuCount) throw new ConfigError(`invalid value ${JSON.stringify(text)} for --cpus: ${range}`);
  return { quota, period: CPU_PERIOD_US };
}

/** --cpu-shares: 2…262144 (1024 is the default weight); 0 means "not set", as in Docker. */
export function parseCpuShares(text: string): number | undefined {
  const t = text.trim();
  if (!/^\d+$/.test(t)) throw new ConfigError(`invalid value ${JSON.stringify(text)} for --cpu-shares: expected a whole number like 512 (default 1024)`);
  const shares = Number(t);
  if (shares === 0) return undefined;
  if (shares < MIN_SHARES || shares > MAX_SHARES) {
    throw new ConfigError(`invalid value ${JSON.stringify(text)} for --cpu-shares: the range is ${MIN_SHARES} to ${MAX_SHARES}`);
  }
  return shares;
}

/**
 * v1 cpu.shares (2…262144) → v2 cpu.weight (1…10000), linearly, exactly as
 * crun's convert_shares_to_weight: 2 → 1, 262144 → 10000, 1024 → 39.
 */
export function sharesToWeight(shares: number): number {
  if (shares === 0) return 0;
  return 1 + Math.floor(((shares - 2) * 9999) / 262142);
}
