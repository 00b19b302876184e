import { errnoDescription, errnoName } from './errno.ts';

/**
 * The lowest-level error: one failed system call, with everything needed to
 * understand it. Like Go's os.PathError or crun's errno-carrying errors, it
 * keeps errno so upper layers can decide (EBUSY → retry, ENOENT → skip).
 *
 * message: `mount dst=/x/proc flags=MS_NOSUID: EPERM (operation not permitted)`
 */
export class SyscallError extends Error {
  override name = 'SyscallError';
  readonly syscall: string;
  readonly errno: number;
  readonly code: string;
  /** Arguments as printed, e.g. { dst: '/x/proc', flags: 'MS_NOSUID' }. */
  readonly args: Readonly<Record<string, string>>;

  constructor(syscall: string, errno: number, args: Record<string, string> = {}) {
    const code = errnoName(errno);
    const argText = Object.entries(args)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ');
    super(`${syscall}${argText ? ' ' + argText : ''}: ${code} (${errnoDescription(errno)})`);
    this.syscall = syscall;
    this.errno = errno;
    this.code = code;
    this.args = args;
  }
}

/**
 * A helper program (ip, iptables, cc, …) that failed. Carries what execa/zx
 * carry: the command, exit code, signal, duration and the tail of stderr.
 */
export class CommandError extends Error {
  override name = 'CommandError';
  constructor(
    readonly command: string,
    readonly exitCode: number | null,
    readonly signal: string | null,
    readonly durationMs: number,
    readonly stderr: string,
  ) {
    const how = signal ? `was killed by ${signal}` : `failed with exit code ${exitCode}`;
    const tail = stderr.trim().split('\n').slice(-3).join(' / ');
    super(`Command ${how}: ${command}${tail ? ` (${tail})` : ''}`);
  }
}
