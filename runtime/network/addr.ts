/**
 * IPv4 address math, pure: no kernel, no files. An address is a 32-bit
 * unsigned number; a subnet is its network address plus a prefix length.
 *
 *   10.88.0.0/16   network 10.88.0.0   gateway (the bridge) 10.88.0.1
 *                  first container 10.88.0.2   broadcast 10.88.255.255
 */

export interface Subnet {
  /** The network address as a number (host bits zero). */
  network: number;
  /** Prefix length, e.g. 16 for a /16. */
  prefix: number;
}

const OCTET = /^(0|[1-9][0-9]{0,2})$/;

/** "10.88.0.2" → 0x0a580002, or null if it is not a dotted quad. */
export function parseIp(text: string): number | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  let n = 0;
  for (const p of parts) {
    if (!OCTET.test(p)) return null;
    const v = Number(p);
    if (v > 255) return null;
    n = n * 256 + v; // not <<: JS bit operations are signed 32-bit
  }
  return n;
}

export function formatIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** The netmask for a prefix: /24 → 0xffffff00 (as an unsigned number). */
export function maskOf(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/**
 * "10.88.0.0/16" → { network, prefix }. Host bits must be zero, as the
 * kernel's route table shows subnets: "10.88.0.5/16" is refused, not
 * silently rounded, so the user sees what they typed was odd.
 */
export function parseSubnet(text: string): Subnet | string {
  const m = /^([0-9.]+)\/([0-9]{1,2})$/.exec(text.trim());
  if (!m) return `invalid subnet ${JSON.stringify(text)}: expected CIDR notation like 10.88.0.0/16`;
  const ip = parseIp(m[1]!);
  const prefix = Number(m[2]);
  if (ip === null) return `invalid subnet ${JSON.stringify(text)}: ${m[1]} is not an IPv4 address`;
  if (prefix > 32) return `invalid subnet ${JSON.stringify(text)}: the prefix length must be 0-32`;
  if (((ip & ~maskOf(prefix)) >>> 0) !== 0) {
    return `invalid subnet ${JSON.stringify(text)}: host bits are set (did you mean ${formatIp((ip & maskOf(prefix)) >>> 0)}/${prefix}?)`;
  }
  return { network: ip, prefix };
}

export function formatSubnet(s: Subnet): string {
  return `${formatIp(s.network)}/${s.prefix}`;
}

/** The last address of the subnet (all host bits one). */
export function broadcastOf(s: Subnet): number {
  return (s.network | ~maskOf(s.prefix)) >>> 0;
}

/** The bridge's own address: the first usable one, as Docker's docker0 has .1. */
export function gatewayOf(s: Subnet): number {
  return s.network + 1;
}

/** Addresses containers may get: after the gateway, before the broadcast. */
export function containerRange(s: Subnet): { first: number; last: number } {
  return { first: s.network + 2, last: broadcastOf(s) - 1 };
}

export function contains(s: Subnet, ip: number): boolean {
  return ((ip & maskOf(s.prefix)) >>> 0) === s.network;
}

/** Two subnets overlap iff one contains the other's network address. */
export function overlaps(a: Subnet, b: Subnet): boolean {
  return contains(a, b.network) || contains(b, a.network);
}

/** The lowest address in the container range that is not taken, or null when full. */
export function firstFree(s: Subnet, taken: ReadonlySet<number>): number | null {
  const { first, last } = containerRange(s);
  for (let ip = first; ip <= last; ip++) if (!taken.has(ip)) return ip;
  return null;
}

/**
 * Private ranges (RFC 1918). A container subnet outside them could hide
 * real internet addresses behind the bridge.
 */
const PRIVATE = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'].map((t) => parseSubnet(t) as Subnet);

export function isPrivate(s: Subnet): boolean {
  return PRIVATE.some((p) => p.prefix <= s.prefix && contains(p, s.network));
}
