/**
 * tiny-runc create [--bundle DIR] [--pid-file F] ID
 *
 * Reads DIR/config.json, translates it (translate.ts; warnings on stderr),
 * then leaves the container "created": namespaces, rootfs and cgroups are
 * ready and tiny-init waits, held by a holder process (holder.ts), for start.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigError } from '../../errors.ts';
import { requireRoot } from '../../spec.ts';
import type { OciConfig } from '../config.ts';
import { spawnHolder } from '../holder.ts';
import { loadExtras } from '../load-extras.ts';
import { lastCap, permittedCaps } from '../capabilities.ts';
import { ociStore } from '../state.ts';
import { internalId, translate } from '../translate.ts';
import { oneId, parseOciArgs, usageOf, type OciFlag } from './flags.ts';
import { warn, type Globals } from './main.ts';

const FLAGS: OciFlag[] = [
  { name: 'bundle', short: 'b', takesValue: true, help: 'the bundle directory (default: the current directory)' },
  { name: 'pid-file', takesValue: true, help: "write the container's pid to this file" },
  { name: 'console-socket', takesValue: true, help: 'not supported (needs process.terminal)' },
  { name: 'no-pivot', takesValue: false, help: 'ignored: tiny-runc always uses pivot_root' },
  { name: 'no-new-keyring', takesValue: false, help: 'ignored: tiny-runc never makes a session keyring' },
  { name: 'preserve-fds', takesValue: true, help: 'not supported' },
  { name: 'help', short: 'h', takesValue: false, help: 'show this help' },
];

export function readConfig(bundle: string): OciConfig {
  const file = path.join(bundle, 'config.json');
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? err}`, { hint: 'make one with tiny-runc spec' });
  }
  try {
    return JSON.parse(text) as OciConfig;
  } catch (err) {
    throw new ConfigError(`${file} is not valid JSON: ${(err as Error).message}`);
  }
}

export default async function create(argv: string[], g: Globals): Promise<number> {
  const { flags, positionals } = parseOciArgs('create', argv, FLAGS);
  if (flags.help) {
    process.stdout.write(usageOf('create', '[options] ID', FLAGS));
    return 0;
  }
  const id = oneId('create', positionals);
  if (flags['console-socket']) throw new ConfigError('--console-socket is not supported: tiny-runc has no terminal support');
  if (flags['preserve-fds'] && flags['preserve-fds'] !== '0') throw new ConfigError('--preserve-fds is not supported');
  requireRoot();
  const bundle = path.resolve(typeof flags.bundle === 'string' ? flags.bundle : '.');
  const config = readConfig(bundle);
  const { spec, warnings } = translate({
    config,
    bundle,
    id,
    hostHostname: os.hostname(),
    lastCap: lastCap(() => fs.readFileSync('/proc/sys/kernel/cap_last_cap', 'utf8')),
    runtimeCaps: permittedCaps(fs.readFileSync('/proc/self/status', 'utf8')),
    extras: await loadExtras(),
  });
  for (const w of warnings) warn(w);
  const store = ociStore(g.root);
  if (fs.existsSync(store.dir(internalId(id)))) throw new ConfigError(`container with id ${id} already exists`);
  const pid = await spawnHolder(g.self, store.root, spec);
  if (typeof flags['pid-file'] === 'string') {
    // Atomically, as runc: a reader never sees an empty pid file.
    const file = path.resolve(flags['pid-file']);
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, String(pid));
    fs.renameSync(tmp, file);
  }
  return 0;
}
