/**
 * The network config of one container, from its flags and the environment:
 * pure and checked, stored as spec.features.network (and so in state.json),
 * which is all another process needs to clean the network up later.
 *
 *   --net bridge (default; alias "isolated")  own netns, veth to the bridge
 *   --net none                                 own netns with only lo
 *   --net host                                 the host's netns: isolates nothing
 */
import { ConfigError } from '../errors.ts';
import { formatSubnet, isPrivate, parseSubnet } from './addr.ts';
import { clashes, formatMapping, parsePublish, type PortMapping } from './ports.ts';

export type NetworkMode = 'bridge' | 'none' | 'host';

export interface NetworkConfig {
  mode: NetworkMode;
  /** The host bridge (bridge mode). */
  bridge: string;
  /** Its subnet in CIDR notation, e.g. 10.88.0.0/16. */
  subnet: string;
  ports: PortMapping[];
}

export const DEFAULT_BRIDGE = 'tdk0';
export const DEFAULT_SUBNET = '10.88.0.0/16';

const MODES: Record<string, NetworkMode> = { bridge: 'bridge', isolated: 'bridge', none: 'none', host: 'host' };

/** Interface names: at most 15 bytes (IFNAMSIZ - 1), and nothing a shell or iptables would misread. */
const IFNAME = /^[a-zA-Z][a-zA-Z0-9_-]{0,14}$/;

export interface NetworkFlags {
  net?: string | undefined;
  publish?: readonly string[];
  /** Defaults to process.env: TINY_DOCKER_BRIDGE, TINY_DOCKER_SUBNET. */
  env?: NodeJS.ProcessEnv;
}

export function networkConfigFromFlags(flags: NetworkFlags): NetworkConfig {
  const env = flags.env ?? process.env;
  const modeText = flags.net ?? 'bridge';
  const mode = MODES[modeText];
  if (!mode) throw new ConfigError(`invalid --net ${JSON.stringify(modeText)}: use bridge, none or host`);

  const ports = (flags.publish ?? []).map(parsePublish);
  if (ports.length > 0 && mode !== 'bridge') {
    throw new ConfigError(`-p needs --net bridge: with --net ${modeText} there is no container address to forward to`);
  }
  ports.forEach((m, i) => {
    const twin = ports.slice(0, i).find((o) => clashes(o, m));
    if (twin) throw new ConfigError(`-p ${formatMapping(m)} and -p ${formatMapping(twin)} use the same host port`);
  });

  const bridge = env.TINY_DOCKER_BRIDGE || DEFAULT_BRIDGE;
  if (!IFNAME.test(bridge)) {
    throw new ConfigError(`invalid bridge name ${JSON.stringify(bridge)} (TINY_DOCKER_BRIDGE): 1-15 letters, digits, _ or -, starting with a letter`);
  }
  const subnetText = env.TINY_DOCKER_SUBNET || DEFAULT_SUBNET;
  const subnet = parseSubnet(subnetText);
  if (typeof subnet === 'string') throw new ConfigError(`${subnet} (TINY_DOCKER_SUBNET)`);
  if (!isPrivate(subnet)) throw new ConfigError(`TINY_DOCKER_SUBNET ${subnetText} is not a private range: use one inside 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16`);
  if (subnet.prefix > 30) throw new ConfigError(`TINY_DOCKER_SUBNET ${subnetText} is too small: use /30 or larger (e.g. /24)`);
  return { mode, bridge, subnet: formatSubnet(subnet), ports };
}
