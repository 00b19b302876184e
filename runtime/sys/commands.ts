/**
 * Helper programs (ip, iptables, cc) run through here: the trace sees them,
 * and failures become CommandError with the command line, exit code, signal,
 * duration and the tail of stderr.
 */
import { spawn, spawnSync } from 'node:child_process';
import { CommandError } from './errors.ts';
import { traced, tracedAsync } from './trace.ts';

export interface CommandResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export interface CommandOptions {
  input?: string;
  /** Do not throw on a non-zero exit; return it instead. */
  allowFailure?: boolean;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  timeoutMs?: number;
}

const quote = (a: string) => (/[\s"']/.test(a) ? JSON.stringify(a) : a);
/** The command line as a shell would show it; a program on stdin (ip -batch -) is shown as a here-string. */
const show = (cmd: string, args: readonly string[], input?: string) =>
  [cmd, ...args].map(quote).join(' ') + (input ? ` <<< ${JSON.stringify(input.trim().split('\n').join('; '))}` : '');

/**
 * Synchronous: needed inside the namespace window, where nothing may yield to
 * the event loop (an await there would let other code run in the container's
 * namespaces).
 */
export function runSync(cmd: string, args: readonly string[], opts: CommandOptions = {}): CommandResult {
  return traced(
    () => show(cmd, args, opts.input),
    () => {
      const start = performance.now();
      const r = spawnSync(cmd, args, {
        input: opts.input,
        encoding: 'utf8',
        env: opts.env,
        cwd: opts.cwd,
        timeout: opts.timeoutMs,
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      const duration = performance.now() - start;
      if (r.error) throw new CommandError(show(cmd, args), null, null, duration, (r.error as Error).message);
      const result = { stdout: r.stdout ?? '', stderr: r.stderr ?? '', exitCode: r.status ?? 128 };
      if ((r.status !== 0 || r.signal) && !opts.allowFailure) {
        throw new CommandError(show(cmd, args), r.status, r.signal, duration, r.stderr ?? '');
      }
      return result;
    },
    (r) => `= ${r.exitCode}`,
  );
}

export function run(cmd: string, args: readonly string[], opts: CommandOptions = {}): Promise<CommandResult> {
  return tracedAsync(
    () => show(cmd, args, opts.input),
    () =>
      new Promise<CommandResult>((resolve, reject) => {
        const start = performance.now();
        const child = spawn(cmd, args, { env: opts.env, cwd: opts.cwd, stdio: ['pipe', 'pipe', 'pipe'], timeout: opts.timeoutMs });
        let stdout = '';
        let stderr = '';
        child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
        child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
        child.on('error', (err) => reject(new CommandError(show(cmd, args), null, null, performance.now() - start, err.message)));
        child.on('close', (code, signal) => {
          if ((code !== 0 || signal) && !opts.allowFailure) {
            reject(new CommandError(show(cmd, args), code, signal, performance.now() - start, stderr));
          } else resolve({ stdout, stderr, exitCode: code ?? 128 });
        });
        child.stdin.end(opts.input ?? '');
      }),
    (r) => `= ${r.exitCode}`,
  );
}
