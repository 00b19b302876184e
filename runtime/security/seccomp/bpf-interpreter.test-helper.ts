/**
 * A classic-BPF interpreter for the instructions our compiler emits, so tests
 * can ask "what would the kernel answer for this syscall?" without a kernel.
 * Test-only: not part of the runtime.
 */
import { OPCODES, decode } from './bpf.ts';

export interface SeccompData {
  nr: number;
  arch: number;
  args?: bigint[];
}

export function runFilter(prog: Buffer, data: SeccompData): number {
  const args = data.args ?? [];
  const word = (off: number): number => {
    if (off === 0) return data.nr >>> 0;
    if (off === 4) return data.arch >>> 0;
    const i = Math.floor((off - 16) / 8);
    const v = BigInt.asUintN(64, args[i] ?? 0n);
    return Number((off - 16) % 8 === 0 ? v & 0xffffffffn : v >> 32n);
  };
  let a = 0;
  for (let pc = 0; pc < prog.length / 8; ) {
    const { code, jt, jf, k } = decode(prog, pc);
    switch (code) {
      case OPCODES.LD_W_ABS:
        a = word(k);
        pc++;
        break;
      case OPCODES.AND_K:
        a = (a & k) >>> 0;
        pc++;
        break;
      case OPCODES.JEQ:
        pc += 1 + (a === k ? jt : jf);
        break;
      case OPCODES.JGT:
        pc += 1 + (a > k ? jt : jf);
        break;
      case OPCODES.JGE:
        pc += 1 + (a >= k ? jt : jf);
        break;
      case OPCODES.JA:
        pc += 1 + k;
        break;
      case OPCODES.RET_K:
        return k;
      default:
        throw new Error(`unknown BPF opcode ${code} at ${pc}`);
    }
  }
  throw new Error('BPF program fell off its end');
}
