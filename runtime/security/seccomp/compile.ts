/**
 * Compile a seccomp profile (Docker's JSON format) to a classic BPF program
 * for seccomp(SECCOMP_SET_MODE_FILTER). The parent does this; tiny-init only
 * installs the bytes, as its last step before exec.
 *
 * Why our own compiler and not libseccomp through koffi: the program is short
 * and readable (students can print it: see disassemble()), it needs no native
 * library on the Lima guest, and every safety check is in plain sight here.
 *
 * The shape of the program, for the native architecture only:
 *
 *   ld arch;  if (arch != AUDIT_ARCH_<native>) return KILL_PROCESS   (1)
 *   ld nr;    if (nr >= 0x40000000) return KILL_PROCESS  [x86_64]    (2)
 *   for each run lo..hi of always-allowed numbers:
 *             if (lo <= nr && nr <= hi) return ALLOW                  (3)
 *   for each syscall with conditions, or another fixed action:
 *             if (nr == N) { try its rules in order; else default }   (4)
 *   return defaultAction
 *
 * (1) The same number means different calls on different ABIs (i386's 11 is
 *     execve, x86_64's 11 is munmap), so a filter must check the ABI first.
 *     We only describe the native one; 32-bit programs are killed.
 * (2) x32 programs run on x86_64 with AUDIT_ARCH_X86_64 but set bit 30 in the
 *     number: without this check `keyctl | 0x40000000` would miss a deny rule.
 * (3) Ranges keep the common case short: ~300 allowed calls become ~40 ranges.
 * (4) Arguments are 64-bit but BPF registers are 32-bit: every comparison is
 *     done on the high half, then the low half.
 */
import { ConfigError } from '../../errors.ts';
import { Assembler, RET, SECCOMP_DATA } from './bpf.ts';
import type { Action, ArgCondition, Filter, SeccompProfile } from './profile.ts';
import { SYSCALLS_AARCH64 } from './syscalls-aarch64.ts';
import { SYSCALLS_I386 } from './syscalls-i386.ts';
import { SYSCALLS_X86_64 } from './syscalls-x86_64.ts';

export type SeccompArch = 'x86_64' | 'aarch64';

/** AUDIT_ARCH_* from linux/audit.h: the machine type plus 64-bit and little-endian bits. */
export const AUDIT_ARCH = { x86_64: 0xc000003e, aarch64: 0xc00000b7 } as const;
const X32_SYSCALL_BIT = 0x40000000;
const EPERM = 1;

const TABLES: Record<SeccompArch, Readonly<Record<string, number>>> = { x86_64: SYSCALLS_X86_64, aarch64: SYSCALLS_AARCH64 };
/** Names in profiles use Go's arch names (amd64, arm64) or libseccomp's. */
const ARCH_ALIASES: Record<SeccompArch, string[]> = {
  x86_64: ['amd64', 'x86_64', 'SCMP_ARCH_X86_64'],
  aarch64: ['arm64', 'aarch64', 'SCMP_ARCH_AARCH64'],
};

export interface CompileOptions {
  arch: SeccompArch;
  /** The container's capabilities: rules may depend on them (includes.caps). */
  caps: 'ALL' | readonly string[];
  /** os.release(), for includes.minKernel. */
  kernel: string;
}

export interface CompiledFilter {
  program: Buffer;
  /** Syscalls named in the profile but absent on this arch (skipped, as Docker does). */
  skipped: string[];
}

export function nodeArchToSeccomp(nodeArch: string): SeccompArch {
  if (nodeArch === 'x64') return 'x86_64';
  if (nodeArch === 'arm64') return 'aarch64';
  throw new ConfigError(`seccomp: unsupported architecture ${nodeArch}`);
}

/** The action as the kernel's return value. */
export function actionValue(action: Action, errno: number | undefined): number {
  switch (action) {
    case 'SCMP_ACT_ALLOW':
      return RET.ALLOW;
    case 'SCMP_ACT_ERRNO':
      return (RET.ERRNO | ((errno ?? EPERM) & 0xffff)) >>> 0;
    case 'SCMP_ACT_KILL':
    case 'SCMP_ACT_KILL_THREAD':
      return RET.KILL_THREAD;
    case 'SCMP_ACT_KILL_PROCESS':
      return RET.KILL_PROCESS;
    case 'SCMP_ACT_TRAP':
      return RET.TRAP;
    case 'SCMP_ACT_LOG':
      return RET.LOG;
  }
}

function kernelAtLeast(kernel: string, min: string): boolean {
  const [a = 0, b = 0] = kernel.split(/[.-]/).map(Number);
  const [x = 0, y = 0] = min.split('.').map(Number);
  return a > x || (a === x && b >= y);
}

function normCap(c: string): string {
  const u = c.toUpperCase();
  return u.startsWith('CAP_') ? u : `CAP_${u}`;
}

/** Does a rule apply to this container (Docker's includes/excludes)? */
function applies(includes: Filter | undefined, excludes: Filter | undefined, o: CompileOptions): boolean {
  const hasCap = (c: string) => o.caps === 'ALL' || o.caps.includes(normCap(c));
  const isArch = (a: string) => ARCH_ALIASES[o.arch].includes(a);
  if (includes?.caps?.length && !includes.caps.every(hasCap)) return false;
  if (includes?.arches?.length && !includes.arches.some(isArch)) return false;
  if (includes?.minKernel && !kernelAtLeast(o.kernel, includes.minKernel)) return false;
  if (excludes?.caps?.some(hasCap)) return false;
  if (excludes?.arches?.some(isArch)) return false;
  if (excludes?.minKernel && kernelAtLeast(o.kernel, excludes.minKernel)) return false;
  return true;
}

interface Branch {
  args: ArgCondition[];
  ret: number;
}

/** Syscall number → its rules, in profile order (first match wins). */
function rulesByNumber(profile: SeccompProfile, o: CompileOptions): { byNr: Map<number, Branch[]>; skipped: string[] } {
  const table = TABLES[o.arch];
  const byNr = new Map<number, Branch[]>();
  const skipped = new Set<string>();
  for (const rule of profile.syscalls) {
    if (!applies(rule.includes, rule.excludes, o)) continue;
    const ret = actionValue(rule.action, rule.errnoRet);
    for (const name of rule.names) {
      const nr = table[name];
      if (nr === undefined) {
        // A call of another arch (arch_prctl on aarch64, chown32 on x86_64) is
        // skipped as Docker does. A name no arch has is a typo: refuse it,
        // unless the rule is arch-specific (it may name arm/s390/… calls).
        const known = name in SYSCALLS_X86_64 || name in SYSCALLS_AARCH64 || name in SYSCALLS_I386;
        if (!known && !rule.includes?.arches?.length) {
          throw new ConfigError(`seccomp profile: unknown syscall ${JSON.stringify(name)}`, { hint: 'check its spelling against man 2 syscalls' });
        }
        skipped.add(name);
        continue;
      }
      const list = byNr.get(nr) ?? [];
      list.push({ args: rule.args ?? [], ret });
      byNr.set(nr, list);
    }
  }
  return { byNr, skipped: [...skipped].sort() };
}

/** Emit code that falls through when `c` holds and jumps to `fail` when not. */
function emitCondition(asm: Assembler, c: ArgCondition, fail: string): void {
  // lab:07-security begin — compare the high 32-bit half, then the low half (bpf.ts: SECCOMP_DATA.argHigh/argLow)
  const value = BigInt(c.value);
  const hi = Number(value >> 32n), lo = Number(value & 0xffffffffn);
  const ok = asm.label('ok');
  const loadHi = () => asm.load(SECCOMP_DATA.argHigh(c.index));
  const loadLo = () => asm.load(SECCOMP_DATA.argLow(c.index));
  switch (c.op) {
    case 'SCMP_CMP_EQ':
      loadHi(), asm.jump('jeq', hi, 0, fail);
      loadLo(), asm.jump('jeq', lo, 0, fail);
      break;
    case 'SCMP_CMP_NE': // differs in either half
      loadHi(), asm.jump('jeq', hi, 0, ok);
      loadLo(), asm.jump('jeq', lo, fail, 0);
      break;
    case 'SCMP_CMP_MASKED_EQ': {
      const want = BigInt(c.valueTwo ?? 0);
      loadHi(), asm.and(hi), asm.jump('jeq', Number(want >> 32n), 0, fail);
      loadLo(), asm.and(lo), asm.jump('jeq', Number(want & 0xffffffffn), 0, fail);
      break;
    }
    case 'SCMP_CMP_GT': // hi > H, or hi == H and lo > L
    case 'SCMP_CMP_GE':
      loadHi(), asm.jump('jgt', hi, ok, 0), asm.jump('jeq', hi, 0, fail);
      loadLo(), asm.jump(c.op === 'SCMP_CMP_GT' ? 'jgt' : 'jge', lo, 0, fail);
      break;
    case 'SCMP_CMP_LT': // hi < H, or hi == H and lo < L
    case 'SCMP_CMP_LE':
      loadHi(), asm.jump('jge', hi, 0, ok), asm.jump('jeq', hi, 0, fail);
      loadLo(), asm.jump(c.op === 'SCMP_CMP_LT' ? 'jge' : 'jgt', lo, fail, 0);
      break;
  }
  asm.here(ok);
  // lab:07-security end
}

export function compileProfile(profile: SeccompProfile, o: CompileOptions): CompiledFilter {
  const defaultRet = actionValue(profile.defaultAction, profile.defaultErrnoRet);
  const { byNr, skipped } = rulesByNumber(profile, o);
  const asm = new Assembler();

  // lab:07-security begin — check seccomp_data.arch, then load nr and (x86_64) refuse the x32 bit
  // (1) the ABI check: a foreign arch's numbers mean other syscalls.
  asm.load(SECCOMP_DATA.arch);
  asm.jump('jeq', AUDIT_ARCH[o.arch], 1, 0);
  asm.ret(RET.KILL_PROCESS);
  asm.load(SECCOMP_DATA.nr);
  // (2) the x32 ABI shares AUDIT_ARCH_X86_64 but sets bit 30 of the number.
  if (o.arch === 'x86_64') {
    asm.jump('jge', X32_SYSCALL_BIT, 0, 1);
    asm.ret(RET.KILL_PROCESS);
  }
  // lab:07-security end

  // Sort the syscalls: fixed ALLOW (ranges), other fixed actions, conditional blocks.
  const allow: number[] = [];
  const blocks: [number, Branch[]][] = [];
  for (const [nr, branches] of [...byNr].sort((a, b) => a[0] - b[0])) {
    // Rules after an unconditional one can never match.
    const firstFixed = branches.findIndex((b) => b.args.length === 0);
    const live = firstFixed === -1 ? branches : branches.slice(0, firstFixed + 1);
    if (live.length === 1 && live[0]!.args.length === 0) {
      if (live[0]!.ret === defaultRet) continue; // the default does it anyway
      if (live[0]!.ret === RET.ALLOW) {
        allow.push(nr);
        continue;
      }
    }
    blocks.push([nr, live]);
  }

  // (3) runs of allowed numbers: lo <= nr <= hi → ALLOW
  for (const [lo, hi] of ranges(allow)) {
    if (lo === hi) {
      asm.jump('jeq', lo, 0, 1);
    } else {
      asm.jump('jge', lo, 0, 2);
      asm.jump('jgt', hi, 1, 0);
    }
    asm.ret(RET.ALLOW);
  }

  // (4) one block per remaining syscall; every path out of a block returns.
  for (const [nr, branches] of blocks) {
    const next = asm.label('nr');
    asm.jump('jeq', nr, 0, next);
    for (const b of branches) {
      const fail = asm.label('rule');
      for (const c of b.args) emitCondition(asm, c, fail);
      asm.ret(b.ret);
      asm.here(fail);
    }
    asm.ret(defaultRet);
    asm.here(next);
  }
  asm.ret(defaultRet);
  return { program: asm.assemble(), skipped };
}

/** [1,2,3,7,9,10] → [[1,3],[7,7],[9,10]] */
export function ranges(sorted: readonly number[]): [number, number][] {
  const out: [number, number][] = [];
  for (const n of sorted) {
    const last = out[out.length - 1];
    if (last && n === last[1] + 1) last[1] = n;
    else out.push([n, n]);
  }
  return out;
}
