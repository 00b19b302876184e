/**
 * Once per `npm test`: build tiny-init, the CLI bundle and the offline host
 * rootfs, so individual tests never race to build them.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { ensureInit, ensureMonitor, projectRoot } from '../runtime/init/binary.ts';
import { bestImage } from '../runtime/rootfs/images.ts';
import { imagesDir } from '../runtime/paths.ts';

export default async function setup(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('the tests start real containers: run them as root (sudo npm test)');
  ensureInit();
  ensureMonitor();
  const root = projectRoot();
  execFileSync(process.execPath, [path.join(root, 'scripts/build.mjs'), '--quiet'], { stdio: 'inherit' });
  if (!fs.existsSync(path.join(imagesDir(), 'host', '.tiny-docker-image'))) {
    const { buildHostRootfs } = await import('../rootfs/host.ts');
    fs.mkdirSync(imagesDir(), { recursive: true });
    await buildHostRootfs(path.join(imagesDir(), 'host'));
  }
  void bestImage;
}
