/**
 * Everything the CLI prints goes through here: colour on a TTY (chalk
 * detects it), plain text when piped, one-line errors with a hint.
 */
import chalk, { chalkStderr } from 'chalk';
import { TinyDockerError } from '../errors.ts';

export { chalk };

export function printError(err: unknown): number {
  if (err instanceof TinyDockerError) {
    process.stderr.write(`${chalkStderr.red('tiny-docker:')} ${err.message}\n`);
    if (err.hint) process.stderr.write(`${chalkStderr.dim('hint:')} ${err.hint}\n`);
    return err.exitCode;
  }
  const e = err as Error;
  process.stderr.write(`${chalkStderr.red('tiny-docker: internal error:')} ${e?.message ?? String(err)}\n`);
  if (process.env.TINY_DOCKER_DEBUG) process.stderr.write(`${e?.stack ?? ''}\n`);
  else process.stderr.write(`${chalkStderr.dim('hint:')} set TINY_DOCKER_DEBUG=1 for a stack trace, and please report it\n`);
  return 125;
}

export function info(message: string): void {
  process.stderr.write(`${chalkStderr.cyan('›')} ${message}\n`);
}

/** A one-line progress indicator on a TTY; plain lines when piped. */
export function progress(message: string, done?: number, total?: number): void {
  const pct = done !== undefined && total ? ` ${Math.round((done / total) * 100)}%` : '';
  if (process.stderr.isTTY) process.stderr.write(`\r\x1b[K${chalkStderr.cyan('›')} ${message}${pct}`);
  else if (done === undefined || done === total) process.stderr.write(`› ${message}${pct}\n`);
}

export function progressDone(): void {
  if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
}

export function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]! + 3))).join('').trimEnd()).join('\n') + '\n';
}
