/**
 * Linux capabilities: root's power split into ~41 pieces (man 7 capabilities).
 *
 * A container's PID 1 runs as root, but Docker keeps only 14 of those pieces.
 * This file holds the name ↔ number table, Docker's default set, and the pure
 * rules that turn --cap-add / --cap-drop / --privileged into the final set.
 * The kernel side (bounding set, capset, ambient set) is tiny-init's OP_CAPS.
 */
import { ConfigError } from '../errors.ts';

/** Capability numbers from include/uapi/linux/capability.h (Linux 5.9+ goes up to 40). */
export const CAPABILITIES: Readonly<Record<string, number>> = {
  CAP_CHOWN: 0,
  CAP_DAC_OVERRIDE: 1,
  CAP_DAC_READ_SEARCH: 2,
  CAP_FOWNER: 3,
  CAP_FSETID: 4,
  CAP_KILL: 5,
  CAP_SETGID: 6,
  CAP_SETUID: 7,
  CAP_SETPCAP: 8,
  CAP_LINUX_IMMUTABLE: 9,
  CAP_NET_BIND_SERVICE: 10,
  CAP_NET_BROADCAST: 11,
  CAP_NET_ADMIN: 12,
  CAP_NET_RAW: 13,
  CAP_IPC_LOCK: 14,
  CAP_IPC_OWNER: 15,
  CAP_SYS_MODULE: 16,
  CAP_SYS_RAWIO: 17,
  CAP_SYS_CHROOT: 18,
  CAP_SYS_PTRACE: 19,
  CAP_SYS_PACCT: 20,
  CAP_SYS_ADMIN: 21,
  CAP_SYS_BOOT: 22,
  CAP_SYS_NICE: 23,
  CAP_SYS_RESOURCE: 24,
  CAP_SYS_TIME: 25,
  CAP_SYS_TTY_CONFIG: 26,
  CAP_MKNOD: 27,
  CAP_LEASE: 28,
  CAP_AUDIT_WRITE: 29,
  CAP_AUDIT_CONTROL: 30,
  CAP_SETFCAP: 31,
  CAP_MAC_OVERRIDE: 32,
  CAP_MAC_ADMIN: 33,
  CAP_SYSLOG: 34,
  CAP_WAKE_ALARM: 35,
  CAP_BLOCK_SUSPEND: 36,
  CAP_AUDIT_READ: 37,
  CAP_PERFMON: 38,
  CAP_BPF: 39,
  CAP_CHECKPOINT_RESTORE: 40,
};

const NAMES = new Map(Object.entries(CAPABILITIES).map(([name, n]) => [n, name]));

export function capabilityName(n: number): string {
  return NAMES.get(n) ?? `cap_${n}`;
}

/**
 * Docker's default set (moby's oci/caps/defaults.go): enough for package
 * managers and daemons that drop privileges, nothing that reaches the host
 * kernel (no SYS_ADMIN, NET_ADMIN, SYS_MODULE, SYS_PTRACE, SYS_TIME…).
 */
export const DEFAULT_CAPABILITIES: readonly string[] = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_FSETID',
  'CAP_FOWNER',
  'CAP_MKNOD',
  'CAP_NET_RAW',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETFCAP',
  'CAP_SETPCAP',
  'CAP_NET_BIND_SERVICE',
  'CAP_SYS_CHROOT',
  'CAP_KILL',
  'CAP_AUDIT_WRITE',
];

/**
 * "net_admin", "NET_ADMIN" and "CAP_NET_ADMIN" all mean CAP_NET_ADMIN, as in
 * Docker; "all" means ALL. An unknown name is a config error (exit 125).
 */
export function normalizeCapability(raw: string): string {
  const upper = raw.trim().toUpperCase();
  if (upper === 'ALL') return 'ALL';
  const name = upper.startsWith('CAP_') ? upper : `CAP_${upper}`;
  if (!(name in CAPABILITIES)) {
    throw new ConfigError(`unknown capability: ${JSON.stringify(raw)}`, { hint: 'see man 7 capabilities, e.g. --cap-add NET_ADMIN' });
  }
  return name;
}

export interface CapabilityFlags {
  add: readonly string[];
  drop: readonly string[];
  privileged: boolean;
}

/**
 * The final capability set, by Docker's rules (moby's TweakCapabilities):
 *   --privileged         everything;
 *   --cap-add ALL        everything but what --cap-drop names;
 *   --cap-drop ALL       only what --cap-add names;
 *   otherwise            the default 14, minus --cap-drop, plus --cap-add
 *                        (a capability both added and dropped stays added).
 * Returns 'ALL' for "every capability this kernel has", or a sorted list of names.
 */
export function resolveCapabilities(flags: CapabilityFlags): 'ALL' | string[] {
  const add = flags.add.map(normalizeCapability);
  const drop = flags.drop.map(normalizeCapability);
  // lab:07-security begin — privileged, then ALL in --cap-add, then ALL in --cap-drop, else defaults − drop + add
  if (flags.privileged) return 'ALL';
  let caps: Set<string>;
  if (add.includes('ALL')) {
    if (drop.length === 0) return 'ALL';
    caps = new Set(Object.keys(CAPABILITIES).filter((c) => !drop.includes(c)));
  } else if (drop.includes('ALL')) {
    caps = new Set(add);
  } else {
    caps = new Set(DEFAULT_CAPABILITIES.filter((c) => !drop.includes(c)));
    for (const c of add) caps.add(c);
  }
  return [...caps].sort((a, b) => CAPABILITIES[a]! - CAPABILITIES[b]!);
  // lab:07-security end
}

/**
 * The set as a 64-bit mask, the shape the kernel wants (bit N = capability N).
 * `lastCap` is this kernel's highest capability (/proc/sys/kernel/cap_last_cap):
 * asking for a bit the kernel does not know makes capset(2) fail with EINVAL.
 */
export function capabilityMask(caps: 'ALL' | readonly string[], lastCap: number): bigint {
  // lab:07-security begin — bit N for capability N; keep only bits 0..lastCap
  const known = (1n << BigInt(lastCap + 1)) - 1n;
  if (caps === 'ALL') return known;
  let mask = 0n;
  for (const c of caps) mask |= 1n << BigInt(CAPABILITIES[c]!);
  return mask & known;
  // lab:07-security end
}

/** Names of the bits set in a mask, e.g. to explain a CapEff line. */
export function capabilityNames(mask: bigint): string[] {
  const out: string[] = [];
  for (let n = 0; n < 64; n++) if (mask & (1n << BigInt(n))) out.push(capabilityName(n));
  return out;
}
