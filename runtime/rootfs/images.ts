/**
 * Prepared root filesystems ("images" in Docker's words) live in
 * imagesDir()/<name>/. Without --rootfs, run picks the best one present.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { imagesDir } from '../paths.ts';

/** Preference order: a real distribution first, the host-derived tree last. */
export const PREFERRED = ['alpine', 'busybox', 'host'] as const;

export function listImages(dir = imagesDir()): string[] {
  try {
    return fs
      .readdirSync(dir, { withFileTypes: true })
      .filter((d) => d.isDirectory() && fs.existsSync(path.join(dir, d.name, '.tiny-docker-image')))
      .map((d) => d.name);
  } catch {
    return [];
  }
}

export function bestImage(dir = imagesDir()): string | null {
  const present = listImages(dir);
  for (const name of PREFERRED) if (present.includes(name)) return path.join(dir, name);
  return present.length ? path.join(dir, present.sort()[0]!) : null;
}

/** `--rootfs alpine` names a prepared image; anything with a slash is a path. */
export function resolveRootfs(ref: string, dir = imagesDir()): string {
  if (!ref.includes('/') && ref !== '.' && ref !== '..' && fs.existsSync(path.join(dir, ref, '.tiny-docker-image'))) {
    return path.join(dir, ref);
  }
  return path.resolve(ref);
}

/** Mark a directory as a finished image (written last by every builder). */
export function markImage(dir: string, info: Record<string, unknown>): void {
  fs.writeFileSync(path.join(dir, '.tiny-docker-image'), JSON.stringify({ ...info, preparedAt: new Date().toISOString() }, null, 2) + '\n');
}
