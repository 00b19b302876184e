/** tiny-runc kill ID [SIGNAL]: SIGTERM by default, as runc. */
import { ConfigError } from '../../errors.ts';
import { killContainer, parseSignal } from '../lifecycle.ts';
import { loadState, ociStore } from '../state.ts';
import { parseOciArgs, type OciFlag } from './flags.ts';
import { warn, type Globals } from './main.ts';

const FLAGS: OciFlag[] = [{ name: 'all', short: 'a', takesValue: false, help: 'ignored: the signal goes to the init process' }];

export default async function kill(argv: string[], g: Globals): Promise<number> {
  const { flags, positionals } = parseOciArgs('kill', argv, FLAGS);
  if (positionals.length < 1 || positionals.length > 2) throw new ConfigError('"kill" requires 1 or 2 arguments', { hint: 'tiny-runc kill ID [SIGNAL]' });
  if (flags.all) warn('--all is ignored: the signal goes to the container init only');
  const signal = parseSignal(positionals[1] ?? 'SIGTERM');
  killContainer(loadState(ociStore(g.root), positionals[0]!), signal);
  return 0;
}
