/**
 * Capability names (CAP_CHOWN …) → bit numbers, from linux/capability.h.
 * OCI gives five sets by name; tiny-init's CAPS step takes them as 64-bit
 * masks. A name the kernel does not know is an error, as in runc.
 */
import { ConfigError } from '../errors.ts';
import type { OciCapabilities } from './config.ts';

export const CAP_NUMBERS: Readonly<Record<string, number>> = Object.fromEntries(
  [
    'CHOWN', 'DAC_OVERRIDE', 'DAC_READ_SEARCH', 'FOWNER', 'FSETID', 'KILL', 'SETGID', 'SETUID', 'SETPCAP',
    'LINUX_IMMUTABLE', 'NET_BIND_SERVICE', 'NET_BROADCAST', 'NET_ADMIN', 'NET_RAW', 'IPC_LOCK', 'IPC_OWNER',
    'SYS_MODULE', 'SYS_RAWIO', 'SYS_CHROOT', 'SYS_PTRACE', 'SYS_PACCT', 'SYS_ADMIN', 'SYS_BOOT', 'SYS_NICE',
    'SYS_RESOURCE', 'SYS_TIME', 'SYS_TTY_CONFIG', 'MKNOD', 'LEASE', 'AUDIT_WRITE', 'AUDIT_CONTROL', 'SETFCAP',
    'MAC_OVERRIDE', 'MAC_ADMIN', 'SYSLOG', 'WAKE_ALARM', 'BLOCK_SUSPEND', 'AUDIT_READ', 'PERFMON', 'BPF',
    'CHECKPOINT_RESTORE',
  ].map((name, bit) => [`CAP_${name}`, bit]),
);

export interface CapabilityMasks {
  bounding: string;
  effective: string;
  permitted: string;
  inheritable: string;
  ambient: string;
}

/** The highest capability this kernel knows (/proc/sys/kernel/cap_last_cap). */
export function lastCap(read: () => string): number {
  try {
    return Number(read().trim());
  } catch {
    return 40;
  }
}

function mask(names: readonly string[] | undefined, set: string, last: number): string {
  let m = 0n;
  for (const name of names ?? []) {
    const bit = CAP_NUMBERS[name];
    if (bit === undefined) throw new ConfigError(`unknown capability ${JSON.stringify(name)} in process.capabilities.${set}`);
    // Caps newer than this kernel cannot be granted; runc skips them too.
    if (bit <= last) m |= 1n << BigInt(bit);
  }
  return m.toString();
}

/** Five decimal 64-bit masks, as the CAPS step of tiny-init wants them. */
export function capabilityMasks(caps: OciCapabilities, last: number): CapabilityMasks {
  return {
    bounding: mask(caps.bounding, 'bounding', last),
    effective: mask(caps.effective, 'effective', last),
    permitted: mask(caps.permitted, 'permitted', last),
    inheritable: mask(caps.inheritable, 'inheritable', last),
    ambient: mask(caps.ambient, 'ambient', last),
  };
}

/** CapPrm from /proc/self/status ("000001fffeffffff") as a decimal mask. */
export function permittedCaps(statusText: string): string {
  const m = /^CapPrm:\s*([0-9a-f]+)$/m.exec(statusText);
  return m ? BigInt(`0x${m[1]}`).toString() : '0';
}
