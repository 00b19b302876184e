// process.arch, not `import { arch } from 'node:process'`: importing node:process
// as an ES module copies all of its getters, which loads process.report and
// costs a cold start about 5 ms.
const arch = process.arch;

/**
 * Syscall numbers for the calls glibc has no wrapper for. They differ per
 * architecture: x86_64 kept its historical table, aarch64 uses the newer
 * asm-generic one (see `man 2 syscall` and arch/<arch>/include/asm/unistd.h).
 */
const tables = {
  x64: { pivot_root: 155, pidfd_open: 434, pidfd_send_signal: 424, seccomp: 317 },
  arm64: { pivot_root: 41, pidfd_open: 434, pidfd_send_signal: 424, seccomp: 277 },
} as const;

export type SyscallName = keyof (typeof tables)['x64'];

export function syscallNumber(name: SyscallName, forArch: string = arch): number {
  const table = tables[forArch as keyof typeof tables];
  if (!table) throw new Error(`tiny-docker supports x86_64 and aarch64, not ${forArch}`);
  return table[name];
}

/** Node's arch name → the name we use in build paths (linux-amd64, linux-arm64). */
export function goArch(nodeArch: string = arch): 'amd64' | 'arm64' {
  if (nodeArch === 'x64') return 'amd64';
  if (nodeArch === 'arm64') return 'arm64';
  throw new Error(`unsupported architecture ${nodeArch}`);
}
