/**
 * Test support for the network tests: a unique bridge and subnet per test
 * file (so parallel files and a user's tdk0 never meet), specs for the
 * in-process API, and counters that prove cleanup.
 */
import * as fs from 'node:fs';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { newId, shortId } from '../runtime/ids.ts';
import { buildEnv, type ContainerSpec } from '../runtime/spec.ts';
import { overlaps, parseSubnet, type Subnet } from '../runtime/network/addr.ts';
import { routedSubnets } from '../runtime/network/bridge.ts';
import { networkConfigFromFlags } from '../runtime/network/config.ts';
import { leaseDir } from '../runtime/network/ipam.ts';
import { hostVethName } from '../runtime/network/veth.ts';

/** A bridge name and a /24 in 10.200-249.x.0 that no host route touches. */
export function uniqueNetwork(): { TINY_DOCKER_BRIDGE: string; TINY_DOCKER_SUBNET: string } {
  const routes = routedSubnets(execFileSync('ip', ['-4', 'route', 'show'], { encoding: 'utf8' }), '');
  for (;;) {
    const [a, b] = randomBytes(2);
    const subnet = `10.${200 + (a! % 50)}.${b}.0/24`;
    if (routes.some((r) => overlaps(r.subnet, parseSubnet(subnet) as Subnet))) continue;
    return { TINY_DOCKER_BRIDGE: `tdkt${randomBytes(3).toString('hex')}`, TINY_DOCKER_SUBNET: subnet };
  }
}

export function specFor(rootfs: string, command: string[], net: { net?: string; publish?: string[]; env: NodeJS.ProcessEnv }): ContainerSpec {
  const id = newId();
  return {
    id,
    name: `net-${shortId(id)}`,
    rootfs,
    rootfsMode: 'overlay',
    command,
    env: buildEnv([], shortId(id), false),
    workdir: '/',
    hostname: shortId(id),
    isolation: 'pivot_root',
    namespaces: { mnt: true, uts: true, ipc: true, pid: true, net: net.net !== 'host' },
    readOnly: false,
    autoRemove: true,
    features: { network: networkConfigFromFlags(net) },
  };
}

/** Everything a leak would change, limited to what this test's bridge could own. */
export function networkResidue(bridge: string, ids: readonly string[] = []): { links: string[]; leases: string[]; rules: string[] } {
  const names = new Set([bridge, ...ids.map(hostVethName)]);
  const links = execFileSync('ip', ['-o', 'link'], { encoding: 'utf8' })
    .split('\n')
    .map((l) => l.split(':')[1]?.trim().split('@')[0] ?? '')
    .filter((n) => names.has(n));
  let leases: string[] = [];
  try {
    leases = fs.readdirSync(leaseDir(bridge));
  } catch {
    // no directory: no leases
  }
  const rules = ['filter', 'nat']
    .flatMap((t) => execFileSync('iptables', ['-w', '-t', t, '-S'], { encoding: 'utf8' }).split('\n'))
    .filter((l) => l.includes(bridge) || ids.some((id) => l.includes(`tdk:${id.slice(0, 12)}`)));
  return { links, leases, rules };
}
