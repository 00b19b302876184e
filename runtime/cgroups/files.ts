/**
 * Small helpers both drivers share: reading numbers from cgroup files,
 * killing what is in a group, and rmdir with a short retry. Every file
 * access goes through runtime/sys/files.ts so the trace shows it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readKernelFile, rmdirKernel, writeKernelFile } from '../sys/files.ts';
import { killPid } from '../sys/syscalls.ts';

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A file's content, or null when it does not exist (an older kernel, a controller that is off). */
export function readOptional(dir: string, file: string): string | null {
  try {
    return readKernelFile(path.join(dir, file));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/** A number from a one-value file; "max" (v2's "unlimited") and huge v1 values become null. */
export function readNumber(dir: string, file: string): number | null {
  const text = readOptional(dir, file)?.trim();
  if (text === undefined || text === '' || text === 'max') return null;
  const n = Number(text);
  // v1 writes "unlimited" as PAGE_COUNTER_MAX × page size, about 2^63.
  return Number.isSafeInteger(n) ? n : null;
}

/** One key from a flat keyed file: "oom_kill 1" in memory.events, "usage_usec 42" in cpu.stat. */
export function readKey(dir: string, file: string, key: string): number | null {
  const text = readOptional(dir, file);
  if (text === null) return null;
  const line = text.split('\n').find((l) => l.startsWith(`${key} `));
  return line ? Number(line.slice(key.length + 1)) : null;
}

export function write(dir: string, file: string, value: string | number): void {
  writeKernelFile(path.join(dir, file), String(value));
}

/** The pids listed in cgroup.procs (empty when the group is gone). */
export function readProcs(dir: string): number[] {
  const text = readOptional(dir, 'cgroup.procs') ?? '';
  return text.split('\n').filter(Boolean).map(Number);
}

/** SIGKILL every pid; a pid that has already gone (ESRCH) is fine. */
export function killAll(pids: readonly number[]): void {
  for (const pid of pids) killPid(pid, 'SIGKILL');
}

/** Poll until cond() holds, for at most ms. */
export async function waitFor(cond: () => boolean, ms = 2000, step = 5): Promise<boolean> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) return false;
    await sleep(step);
  }
  return true;
}

/**
 * rmdir a cgroup directory. EBUSY means a task is still leaving (a killed
 * process the kernel has not finished with yet): retry briefly.
 * ENOENT is success: it is already gone, so cleanup can run twice.
 */
export async function rmdirCgroup(dir: string, tries = 100): Promise<void> {
  for (let i = 0; ; i++) {
    try {
      rmdirKernel(dir);
      return;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return;
      if (code !== 'EBUSY' || i >= tries) throw new Error(`rmdir ${dir}: ${code ?? (err as Error).message}`, { cause: err });
      await sleep(10);
    }
  }
}

export function exists(dir: string): boolean {
  return fs.existsSync(dir);
}
