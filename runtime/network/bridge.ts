/**
 * The host bridge (`tdk0`): a virtual switch in the host's network namespace.
 * Every container's veth plugs into it, and the bridge's own address (the
 * subnet's first, e.g. 10.88.0.1) is the containers' default gateway.
 *
 * It is created with the first container and deleted with the last (see
 * feature.ts); both happen under the network lock.
 */
import * as fs from 'node:fs';
import { ConfigError } from '../errors.ts';
import { runSync } from '../sys/commands.ts';
import { writeKernelFile } from '../sys/files.ts';
import { formatIp, formatSubnet, gatewayOf, overlaps, parseSubnet, type Subnet } from './addr.ts';

const ROUTE_TYPES = new Set(['unicast', 'blackhole', 'unreachable', 'prohibit', 'throw', 'local', 'broadcast', 'multicast', 'nat', 'anycast']);

/**
 * The destinations in `ip -4 route show` output, minus the default route
 * (it "overlaps" everything) and routes through `exceptDev` (our own bridge).
 * Pure, so it is unit-tested on sample text.
 */
export function routedSubnets(routeText: string, exceptDev: string): { subnet: Subnet; line: string }[] {
  const out: { subnet: Subnet; line: string }[] = [];
  for (const line of routeText.split('\n')) {
    const words = line.trim().split(/\s+/);
    if (ROUTE_TYPES.has(words[0]!)) words.shift();
    const dest = words[0];
    if (!dest || dest === 'default') continue;
    const dev = words.indexOf('dev');
    if (dev >= 0 && words[dev + 1] === exceptDev) continue;
    const s = parseSubnet(dest.includes('/') ? dest : `${dest}/32`);
    if (typeof s !== 'string') out.push({ subnet: s, line: line.trim() });
  }
  return out;
}

export function bridgeExists(name: string): boolean {
  return fs.existsSync(`/sys/class/net/${name}`);
}

/** The host route a subnet would collide with, or null (also used by `tiny-docker doctor`). */
export function overlappingRoute(bridge: string, subnet: Subnet): string | null {
  const routes = runSync('ip', ['-4', 'route', 'show']).stdout;
  return routedSubnets(routes, bridge).find((r) => overlaps(r.subnet, subnet))?.line ?? null;
}

/** Refuse a subnet that the host already routes somewhere: containers would steal or lose that traffic. */
function checkNoOverlap(bridge: string, subnet: Subnet): void {
  const clash = overlappingRoute(bridge, subnet);
  if (clash) {
    throw new ConfigError(`subnet ${formatSubnet(subnet)} overlaps the host route "${clash}"`, {
      hint: 'choose another private subnet with TINY_DOCKER_SUBNET, e.g. TINY_DOCKER_SUBNET=10.89.0.0/24',
    });
  }
}

/**
 * Make sure the bridge exists with the gateway address. An existing bridge
 * must already carry it: a different subnet means someone changed
 * TINY_DOCKER_SUBNET while containers were still running.
 */
export function ensureBridge(name: string, subnetText: string): void {
  const subnet = parseSubnet(subnetText) as Subnet;
  const gateway = `${formatIp(gatewayOf(subnet))}/${subnet.prefix}`;
  if (bridgeExists(name)) {
    const addrs = runSync('ip', ['-o', '-4', 'addr', 'show', 'dev', name]).stdout;
    if (!addrs.includes(` ${gateway} `)) {
      throw new ConfigError(`bridge ${name} already exists without the address ${gateway} (subnet ${subnetText})`, {
        hint: `remove the containers using it, or pick another bridge with TINY_DOCKER_BRIDGE`,
      });
    }
    return;
  }
  checkNoOverlap(name, subnet);
  // lab:05-networking begin
  // One `ip` process for three netlink requests (see the report on -batch vs. koffi netlink).
  runSync('ip', ['-batch', '-'], {
    input: [
      `link add name ${name} type bridge`, // a virtual switch
      `addr add ${gateway} dev ${name}`, // the gateway; also adds the subnet's route to the bridge
      `link set ${name} up`,
    ].join('\n') + '\n',
  });
  // Let packets with a 127.x source leave through the bridge: this is what
  // makes 127.0.0.1:HOSTPORT reach a container after the OUTPUT DNAT.
  writeKernelFile(`/proc/sys/net/ipv4/conf/${name}/route_localnet`, '1');
  // lab:05-networking end
}

/** Delete the bridge; its address and connected route go with it. Idempotent. */
export function deleteBridge(name: string): void {
  if (!bridgeExists(name)) return;
  runSync('ip', ['link', 'del', name], { allowFailure: true });
}
