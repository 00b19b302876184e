/**
 * Resolve a container path inside the rootfs, following symlinks as the
 * container would see them, so a symlink in the image (/var/run → /run, or a
 * malicious ../../etc) can never make us mount or mknod on the host.
 * The same idea as runc's github.com/cyphar/filepath-securejoin.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export function secureJoin(root: string, unsafe: string): string {
  const parts = unsafe.split('/').filter((p) => p !== '' && p !== '.');
  const resolved: string[] = [];
  let links = 0;
  while (parts.length > 0) {
    const part = parts.shift()!;
    if (part === '..') {
      resolved.pop(); // ".." at the container's / stays at /
      continue;
    }
    const candidate = path.join(root, ...resolved, part);
    let target: string | null = null;
    try {
      if (fs.lstatSync(candidate).isSymbolicLink()) target = fs.readlinkSync(candidate);
    } catch {
      // does not exist yet: we will create it, as a real directory
    }
    if (target === null) {
      resolved.push(part);
      continue;
    }
    if (++links > 255) throw new Error(`too many levels of symbolic links in ${unsafe}`);
    // Absolute targets restart from the container's root, not the host's.
    if (target.startsWith('/')) resolved.length = 0;
    parts.unshift(...target.split('/').filter((p) => p !== '' && p !== '.'));
  }
  return path.join(root, ...resolved);
}
