/** tiny-runc spec [--bundle DIR]: write a default config.json, as `runc spec`. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConfigError } from '../../errors.ts';
import { defaultConfig } from '../default-config.ts';
import { parseOciArgs, usageOf, type OciFlag } from './flags.ts';
import type { Globals } from './main.ts';

const FLAGS: OciFlag[] = [
  { name: 'bundle', short: 'b', takesValue: true, help: 'where to write config.json (default: the current directory)' },
  { name: 'rootless', takesValue: false, help: 'not supported' },
  { name: 'help', short: 'h', takesValue: false, help: 'show this help' },
];

export default async function spec(argv: string[], _g: Globals): Promise<number> {
  const { flags } = parseOciArgs('spec', argv, FLAGS);
  if (flags.help) {
    process.stdout.write(usageOf('spec', '[--bundle DIR]', FLAGS));
    return 0;
  }
  if (flags.rootless) throw new ConfigError('--rootless is not supported: tiny-runc needs root (no user namespaces)');
  const file = path.join(typeof flags.bundle === 'string' ? flags.bundle : '.', 'config.json');
  if (fs.existsSync(file)) throw new ConfigError(`File ${file} exists. Remove it first`);
  fs.writeFileSync(file, JSON.stringify(defaultConfig(), null, '\t') + '\n');
  return 0;
}
