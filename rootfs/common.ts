/**
 * Shared pieces of the rootfs builders: the directory skeleton every rootfs
 * needs, and an atomic "build in a temp dir, then rename" finish so a
 * half-built tree is never picked up by `run`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { markImage } from '../runtime/rootfs/images.ts';

export type Progress = (message: string, done?: number, total?: number) => void;
export const silent: Progress = () => undefined;

export function skeleton(root: string): void {
  for (const d of ['usr/bin', 'usr/sbin', 'usr/lib', 'etc', 'proc', 'sys', 'dev', 'tmp', 'root', 'var/tmp', 'run', 'mnt', 'home']) {
    fs.mkdirSync(path.join(root, d), { recursive: true });
  }
  fs.chmodSync(path.join(root, 'tmp'), 0o1777);
  fs.chmodSync(path.join(root, 'var/tmp'), 0o1777);
  fs.chmodSync(path.join(root, 'root'), 0o700);
  fs.writeFileSync(path.join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n');
  fs.writeFileSync(path.join(root, 'etc/group'), 'root:x:0:\ntty:x:5:\nnogroup:x:65534:\n');
  for (const f of ['hosts', 'hostname', 'resolv.conf']) fs.writeFileSync(path.join(root, 'etc', f), '');
  fs.writeFileSync(path.join(root, 'etc/os-release'), 'NAME="tiny-docker rootfs"\nID=tiny\n');
}

/** Build into <dest>.tmp-PID and rename into place when complete. */
export async function buildAtomically(dest: string, info: Record<string, unknown>, build: (tmp: string) => Promise<void> | void): Promise<string> {
  const tmp = `${dest}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true, mode: 0o755 });
  try {
    await build(tmp);
    markImage(tmp, info);
    fs.rmSync(dest, { recursive: true, force: true });
    fs.renameSync(tmp, dest);
  } catch (err) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
  return dest;
}
