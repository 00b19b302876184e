/**
 * A lock file held with flock(2) for the length of a synchronous function.
 * The lock belongs to the open file, so the kernel drops it if the process
 * dies: no stale locks. fn must be synchronous: two async sections in one
 * process would deadlock on flock, which locks per open file, not per process.
 */
import * as fs from 'node:fs';
import { LOCK_EX, LOCK_UN, flock } from './syscalls.ts';

export function withLockFile<T>(file: string, fn: () => T): T {
  const fd = fs.openSync(file, 'a');
  try {
    flock(fd, LOCK_EX);
    return fn();
  } finally {
    flock(fd, LOCK_UN);
    fs.closeSync(fd);
  }
}
