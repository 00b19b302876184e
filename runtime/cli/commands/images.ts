/** tiny-docker images: list prepared root filesystems. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { imagesDir } from '../../paths.ts';
import { bestImage, listImages } from '../../rootfs/images.ts';
import { table } from '../output.ts';

export default async function images(argv: string[]): Promise<number> {
  const dir = imagesDir();
  const names = listImages(dir);
  const best = bestImage(dir);
  if (argv.includes('--json')) {
    process.stdout.write(JSON.stringify(names.map((n) => ({ name: n, path: path.join(dir, n), default: path.join(dir, n) === best })), null, 2) + '\n');
    return 0;
  }
  if (names.length === 0) {
    process.stdout.write(`no prepared rootfs in ${dir}\nprepare one: npm run rootfs -- host   (offline)\n`);
    return 0;
  }
  const rows = [['NAME', 'DEFAULT', 'PREPARED', 'PATH']];
  for (const n of names) {
    let when = '';
    try {
      when = JSON.parse(fs.readFileSync(path.join(dir, n, '.tiny-docker-image'), 'utf8')).preparedAt ?? '';
    } catch {
      // an older marker without a date
    }
    rows.push([n, path.join(dir, n) === best ? 'yes' : '', when.slice(0, 19).replace('T', ' '), path.join(dir, n)]);
  }
  process.stdout.write(table(rows));
  return 0;
}
