/** tiny-docker import FILE.tar NAME: a tarball becomes a prepared rootfs. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConfigError } from '../../errors.ts';
import { checkName } from '../../ids.ts';
import { imagesDir } from '../../paths.ts';
import { progress, progressDone } from '../output.ts';

export default async function importCommand(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.length !== 2) {
    if (!argv.includes('--help')) throw new ConfigError('import needs a tarball and a name', { hint: 'tiny-docker import rootfs.tar myimage' });
    process.stdout.write('Usage: tiny-docker import FILE.tar NAME\n\nImport a rootfs tarball (e.g. docker export output) as a prepared rootfs.\n');
    return 0;
  }
  const [file, name] = argv as [string, string];
  checkName(name);
  if (!fs.existsSync(file)) throw new ConfigError(`no such file: ${file}`);
  const { importTarball, UnsafeArchiveError } = await import('../../../rootfs/import.ts');
  fs.mkdirSync(imagesDir(), { recursive: true });
  try {
    const dest = await importTarball(file, path.join(imagesDir(), name), progress);
    progressDone();
    process.stdout.write(`${dest}\n`);
  } catch (err) {
    progressDone();
    if (err instanceof UnsafeArchiveError) throw new ConfigError(err.message, { hint: 'inspect it with tar -tvf; nothing was written' });
    throw new ConfigError(`import ${file}: ${(err as Error).message}`);
  }
  return 0;
}
