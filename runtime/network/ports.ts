/**
 * Published ports (`-p 8080:80`): a DNAT rule per port rewrites packets sent
 * to HOSTPORT on any local address into packets for the container's
 * IP:CONTAINERPORT, the way Docker does it without its userland proxy.
 *
 *   from another machine   nat PREROUTING → TDK-DNAT-<bridge>
 *   from the host itself   nat OUTPUT     → TDK-DNAT-<bridge>  (incl. 127.0.0.1)
 *
 * Reaching 127.0.0.1:HOSTPORT needs two more things, set up once per bridge
 * in nat.ts and bridge.ts: route_localnet=1 (the kernel otherwise drops a
 * packet with a 127.x source that leaves through a real interface) and a
 * MASQUERADE for 127.0.0.0/8 going into the bridge (so the container answers
 * the bridge address, not its own loopback).
 *
 * The parser is pure; the rules are plain text fed to iptables-restore.
 */
import { ConfigError } from '../errors.ts';
import { parseIp } from './addr.ts';

export interface PortMapping {
  /** The host address to listen on; null means every local address. */
  hostIp: string | null;
  hostPort: number;
  containerPort: number;
  proto: 'tcp' | 'udp';
}

function port(text: string, what: string, spec: string): number {
  if (!/^[0-9]{1,5}$/.test(text) || Number(text) < 1 || Number(text) > 65535) {
    throw new ConfigError(`invalid -p ${JSON.stringify(spec)}: ${what} ${JSON.stringify(text)} is not a port number (1-65535)`);
  }
  return Number(text);
}

/** `[IP:]HOSTPORT:CONTAINERPORT[/tcp|udp]` → a mapping, or a ConfigError naming what is wrong. */
export function parsePublish(spec: string): PortMapping {
  let body = spec;
  let proto: 'tcp' | 'udp' = 'tcp';
  const slash = spec.lastIndexOf('/');
  if (slash >= 0) {
    const p = spec.slice(slash + 1).toLowerCase();
    if (p !== 'tcp' && p !== 'udp') throw new ConfigError(`invalid -p ${JSON.stringify(spec)}: the protocol must be tcp or udp, not ${JSON.stringify(p)}`);
    proto = p;
    body = spec.slice(0, slash);
  }
  const parts = body.split(':');
  if (parts.length < 2 || parts.length > 3) {
    throw new ConfigError(`invalid -p ${JSON.stringify(spec)}: expected HOSTPORT:CONTAINERPORT or IP:HOSTPORT:CONTAINERPORT, e.g. -p 8080:80`);
  }
  const [ipText, hostText, ctrText] = parts.length === 3 ? parts : [null, parts[0]!, parts[1]!];
  let hostIp: string | null = null;
  if (ipText !== null && ipText !== '' && ipText !== '0.0.0.0') {
    if (parseIp(ipText) === null) throw new ConfigError(`invalid -p ${JSON.stringify(spec)}: ${JSON.stringify(ipText)} is not an IPv4 address`);
    hostIp = ipText;
  }
  return { hostIp, hostPort: port(hostText!, 'host port', spec), containerPort: port(ctrText!, 'container port', spec), proto };
}

export function formatMapping(m: PortMapping): string {
  return `${m.hostIp ?? '0.0.0.0'}:${m.hostPort}->${m.containerPort}/${m.proto}`;
}

/** Do two mappings want the same host socket? (0.0.0.0 clashes with every address.) */
export function clashes(a: PortMapping, b: PortMapping): boolean {
  return a.proto === b.proto && a.hostPort === b.hostPort && (a.hostIp === null || b.hostIp === null || a.hostIp === b.hostIp);
}

/** The nat chain that holds every published port of one bridge. */
export function dnatChain(bridge: string): string {
  return `TDK-DNAT-${bridge}`;
}

/** The comment that marks a rule as this container's, so cleanup can find it from the id alone. */
export function ruleComment(id: string): string {
  return `tdk:${id.slice(0, 12)}`;
}

/** One `-A` line per port, for `iptables-restore --noflush` in the nat table. */
export function dnatRules(bridge: string, id: string, containerIp: string, ports: readonly PortMapping[]): string[] {
  // lab:05-networking begin
  return ports.map((m) =>
    [
      `-A ${dnatChain(bridge)}`,
      m.hostIp ? `-d ${m.hostIp}/32` : '',
      `-p ${m.proto} -m ${m.proto} --dport ${m.hostPort}`,
      `-m comment --comment ${ruleComment(id)}`,
      // DNAT: rewrite the destination before routing, so the packet is routed into the bridge.
      `-j DNAT --to-destination ${containerIp}:${m.containerPort}`,
    ]
      .filter(Boolean)
      .join(' '),
  );
  // lab:05-networking end
}

/**
 * From `iptables -t nat -S <chain>` output, the delete lines for this
 * container's rules (found by comment, so this works after a crash too).
 */
export function deleteLinesFor(listing: string, id: string): string[] {
  const mark = `--comment ${ruleComment(id)}`;
  return listing
    .split('\n')
    .filter((l) => l.startsWith('-A ') && (l.includes(mark + ' ') || l.endsWith(mark) || l.includes(`--comment "${ruleComment(id)}"`)))
    .map((l) => '-D' + l.slice(2));
}
