/**
 * Where things live on disk. Everything moves with --root / TINY_DOCKER_ROOT,
 * so tests and students can run side by side without touching each other.
 */
import * as path from 'node:path';
import { projectRoot } from './init/binary.ts';

export const DEFAULT_ROOT = '/var/lib/tiny-docker';

export function stateRoot(explicit?: string): string {
  return path.resolve(explicit ?? process.env.TINY_DOCKER_ROOT ?? DEFAULT_ROOT);
}

/** Prepared root filesystems (git-ignored). Lima moves this to guest-local disk. */
export function imagesDir(): string {
  return path.resolve(process.env.TINY_DOCKER_IMAGES ?? path.join(projectRoot(), 'rootfs', 'images'));
}
