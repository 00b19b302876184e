/**
 * The TypeScript side of tiny-init's protocol (see tiny-init.c for the C side).
 *
 * The parent decides everything and sends tiny-init a flat list of steps;
 * receiving that list is the go signal. tiny-init answers with trace lines,
 * then "X" right before execve, then either one error line or nothing: fd 3
 * is close-on-exec, so EOF after "X" means the user's command was exec'd.
 */
export const OP = {
  SETSID: 1,
  UNSHARE: 2,
  MOUNT: 3,
  MASK: 4,
  READONLY: 5,
  CHDIR: 6,
  CHROOT: 7,
  CAPS: 8,
  NNP: 9,
  SECCOMP: 10,
  IDS: 11,
  SETNS: 12,
  SETCTTY: 13,
  RLIMIT: 14,
  WRITE: 15,
  PDEATHSIG: 16,
  SYMLINK: 17,
  MKDIR: 18,
  WAIT: 19,
  EXEC: 20,
  PIVOT: 21,
} as const;

export type OpName = keyof typeof OP;
const OP_NAMES = new Map<number, OpName>(Object.entries(OP).map(([k, v]) => [v, k as OpName]));

export function opName(op: number): string {
  return OP_NAMES.get(op) ?? `op${op}`;
}

export interface InitStep {
  op: OpName;
  args: (string | Buffer)[];
}

export const FLAG_TRACE = 1;

/** Serialize a program: "TDK1", u32 flags, u32 count, steps (u32 op, u32 argc, args as u32 len + bytes). */
export function encodeProgram(steps: readonly InitStep[], flags = 0): Buffer {
  const parts: Buffer[] = [Buffer.from('TDK1'), u32(flags), u32(steps.length)];
  for (const step of steps) {
    parts.push(u32(OP[step.op]), u32(step.args.length));
    for (const arg of step.args) {
      const b = typeof arg === 'string' ? Buffer.from(arg) : arg;
      if (typeof arg === 'string' && arg.includes('\0')) throw new Error(`NUL byte in ${step.op} argument`);
      parts.push(u32(b.length), b);
    }
  }
  return Buffer.concat(parts);
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0); // tiny-init reads host byte order; both our arches are little-endian
  return b;
}

export type InitMessage =
  | { kind: 'clock'; monotonicMicros: number }
  | { kind: 'trace'; op: string; micros: number; detail: string }
  | { kind: 'exec' }
  | { kind: 'wait' }
  | { kind: 'error'; exitCode: number; errno: number; message: string };

/** Parse the text lines tiny-init writes back. */
export function parseInitLine(line: string): InitMessage | null {
  const clock = /^C (\d+)$/.exec(line);
  if (clock) return { kind: 'clock', monotonicMicros: Number(clock[1]) };
  if (line === 'X') return { kind: 'exec' };
  if (line === 'W') return { kind: 'wait' };
  const trace = /^T (\d+) (\d+) ?(.*)$/.exec(line);
  if (trace) return { kind: 'trace', op: opName(Number(trace[1])), micros: Number(trace[2]), detail: trace[3] ?? '' };
  const err = /^E (\d+) (\d+) (.*)$/.exec(line);
  if (err) return { kind: 'error', exitCode: Number(err[1]), errno: Number(err[2]), message: err[3] ?? '' };
  return null;
}

/**
 * Call onLine for every complete line tiny-init writes on fd 3 (its answers
 * come one line each). Returns a function that stops listening; a line still
 * buffered at that point is not delivered.
 */
export function onInitLines(sock: NodeJS.ReadableStream, onLine: (line: string) => void): () => void {
  let buf = '';
  let listening = true;
  const onData = (chunk: string) => {
    buf += chunk;
    let nl: number;
    while (listening && (nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      onLine(line);
    }
  };
  sock.setEncoding('utf8');
  sock.on('data', onData);
  return () => {
    listening = false;
    sock.off('data', onData);
  };
}

/** The final step: exec `file` with argv and env; tiny-init searches the env's PATH. */
export function execStep(argv: readonly string[], env: readonly string[]): InitStep {
  if (argv.length === 0) throw new Error('empty command');
  return { op: 'EXEC', args: [argv[0]!, String(argv.length), ...argv, ...env] };
}
