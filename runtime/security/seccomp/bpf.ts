/**
 * A tiny assembler for classic BPF (man 2 seccomp, linux/filter.h), just what
 * a seccomp filter needs: load a 32-bit word of struct seccomp_data, AND it,
 * compare and jump, return an action.
 *
 * Conditional jumps in classic BPF only go *forward*, by 0..255 instructions
 * (jt/jf are u8). We write jumps to named labels and resolve them at the end,
 * failing loudly if one is too far rather than emitting a wrong filter.
 */

// Instruction classes and modes (linux/bpf_common.h).
const BPF_LD = 0x00, BPF_ALU = 0x04, BPF_JMP = 0x05, BPF_RET = 0x06;
const BPF_W = 0x00, BPF_ABS = 0x20, BPF_K = 0x00;
const BPF_AND = 0x50;
const BPF_JA = 0x00, BPF_JEQ = 0x10, BPF_JGT = 0x20, BPF_JGE = 0x30;

/** struct seccomp_data { int nr; u32 arch; u64 instruction_pointer; u64 args[6]; } */
export const SECCOMP_DATA = {
  nr: 0,
  arch: 4,
  /** Both our arches are little-endian: the low half of args[i] comes first. */
  argLow: (i: number) => 16 + 8 * i,
  argHigh: (i: number) => 16 + 8 * i + 4,
} as const;

/** Return values (linux/seccomp.h). The low 16 bits carry data, e.g. the errno. */
export const RET = {
  KILL_PROCESS: 0x80000000,
  KILL_THREAD: 0x00000000,
  TRAP: 0x00030000,
  ERRNO: 0x00050000,
  LOG: 0x7ffc0000,
  ALLOW: 0x7fff0000,
} as const;

/** The kernel refuses longer programs (BPF_MAXINSNS). */
export const MAX_INSNS = 4096;

type Target = number | string; // a relative offset, or a label

interface Insn {
  code: number;
  jt: Target;
  jf: Target;
  k: number;
}

export type JumpOp = 'jeq' | 'jgt' | 'jge';
const JUMP_CODES: Record<JumpOp, number> = { jeq: BPF_JMP | BPF_JEQ | BPF_K, jgt: BPF_JMP | BPF_JGT | BPF_K, jge: BPF_JMP | BPF_JGE | BPF_K };

export class Assembler {
  private insns: Insn[] = [];
  private labels = new Map<string, number>();
  private nextLabel = 0;

  /** A fresh label name. */
  label(hint = 'L'): string {
    return `${hint}${this.nextLabel++}`;
  }

  /** Mark the position of the next instruction. */
  here(label: string): void {
    if (this.labels.has(label)) throw new Error(`BPF label ${label} placed twice`);
    this.labels.set(label, this.insns.length);
  }

  /** A = the 32-bit word at `offset` in seccomp_data. */
  load(offset: number): void {
    this.insns.push({ code: BPF_LD | BPF_W | BPF_ABS, jt: 0, jf: 0, k: offset });
  }

  /** A &= k */
  and(k: number): void {
    this.insns.push({ code: BPF_ALU | BPF_AND | BPF_K, jt: 0, jf: 0, k: k >>> 0 });
  }

  /** if (A op k) goto jt else goto jf; 0 means "the next instruction". */
  jump(op: JumpOp, k: number, jt: Target, jf: Target): void {
    this.insns.push({ code: JUMP_CODES[op], jt, jf, k: k >>> 0 });
  }

  /** return k (an action) */
  ret(k: number): void {
    this.insns.push({ code: BPF_RET | BPF_K, jt: 0, jf: 0, k: k >>> 0 });
  }

  get length(): number {
    return this.insns.length;
  }

  /** Resolve labels and encode struct sock_filter[] { u16 code; u8 jt; u8 jf; u32 k; }. */
  assemble(): Buffer {
    if (this.insns.length > MAX_INSNS) throw new Error(`seccomp filter too long: ${this.insns.length} instructions (the kernel allows ${MAX_INSNS})`);
    const buf = Buffer.alloc(this.insns.length * 8);
    this.insns.forEach((insn, i) => {
      buf.writeUInt16LE(insn.code, i * 8);
      buf.writeUInt8(this.offset(insn.jt, i), i * 8 + 2);
      buf.writeUInt8(this.offset(insn.jf, i), i * 8 + 3);
      buf.writeUInt32LE(insn.k, i * 8 + 4);
    });
    return buf;
  }

  private offset(t: Target, at: number): number {
    if (typeof t === 'number') return t;
    const pos = this.labels.get(t);
    if (pos === undefined) throw new Error(`BPF label ${t} never placed`);
    const off = pos - (at + 1);
    if (off < 0 || off > 255) throw new Error(`BPF jump from ${at} to ${t} (${pos}) does not fit in 0..255`);
    return off;
  }
}

/** Decode a program back into readable lines (for the trace, tests and curious students). */
export function disassemble(prog: Buffer): string[] {
  const names: Record<number, string> = {
    [BPF_LD | BPF_W | BPF_ABS]: 'ld',
    [BPF_ALU | BPF_AND | BPF_K]: 'and',
    [JUMP_CODES.jeq]: 'jeq',
    [JUMP_CODES.jgt]: 'jgt',
    [JUMP_CODES.jge]: 'jge',
    [BPF_JMP | BPF_JA]: 'ja',
    [BPF_RET | BPF_K]: 'ret',
  };
  const out: string[] = [];
  for (let i = 0; i < prog.length; i += 8) {
    const code = prog.readUInt16LE(i), jt = prog[i + 2]!, jf = prog[i + 3]!, k = prog.readUInt32LE(i + 4);
    const name = names[code] ?? `op${code.toString(16)}`;
    const hex = `0x${k.toString(16)}`;
    const n = i / 8;
    if (name.startsWith('j')) out.push(`${n}: ${name} ${hex} ? ${n + 1 + jt} : ${n + 1 + jf}`);
    else if (name === 'ld') out.push(`${n}: ld [${k}]`);
    else out.push(`${n}: ${name} ${hex}`);
  }
  return out;
}

/** The raw fields of instruction n (for the test interpreter). */
export function decode(prog: Buffer, n: number): { code: number; jt: number; jf: number; k: number } {
  const i = n * 8;
  return { code: prog.readUInt16LE(i), jt: prog[i + 2]!, jf: prog[i + 3]!, k: prog.readUInt32LE(i + 4) };
}

export const OPCODES = { LD_W_ABS: BPF_LD | BPF_W | BPF_ABS, AND_K: BPF_ALU | BPF_AND | BPF_K, JEQ: JUMP_CODES.jeq, JGT: JUMP_CODES.jgt, JGE: JUMP_CODES.jge, JA: BPF_JMP | BPF_JA, RET_K: BPF_RET | BPF_K } as const;
