/**
 * File operations on kernel interfaces (cgroupfs, procfs, sysfs). They go
 * through here, not straight to node:fs, so the trace shows them and errors
 * name the path and the value, as youki does: `write "12" to /sys/…/pids.max`.
 */
import * as fs from 'node:fs';
import { traced } from './trace.ts';

export function writeKernelFile(path: string, value: string): void {
  traced(
    () => `write ${path} ${JSON.stringify(value)}`,
    () => {
      try {
        fs.writeFileSync(path, value);
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        throw Object.assign(new Error(`write ${JSON.stringify(value)} to ${path}: ${e.code ?? e.message}`, { cause: err }), {
          code: e.code,
          path,
        });
      }
    },
  );
}

export function readKernelFile(path: string): string {
  return traced(
    () => `read ${path}`,
    () => fs.readFileSync(path, 'utf8'),
    (r) => `= ${JSON.stringify(r.length > 40 ? r.slice(0, 40) + '…' : r.trimEnd())}`,
  );
}

export function mkdirKernel(path: string): void {
  traced(() => `mkdir ${path}`, () => void fs.mkdirSync(path, { recursive: true }));
}

export function rmdirKernel(path: string): void {
  traced(() => `rmdir ${path}`, () => fs.rmdirSync(path));
}
