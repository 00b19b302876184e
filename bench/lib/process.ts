/**
 * Run a program to completion, the way every process-level row measures it:
 * libuv spawn, wait for the exit event. A non-zero exit is an error with the
 * command, exit code and the tail of stderr (a benchmark of a failing
 * command measures nothing).
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Keep stdout (default: discarded, as `> /dev/null`). */
  capture?: boolean;
}

/** A failed run: the message names the command; `tail` is the end of its stderr. */
export class ProcessError extends Error {
  constructor(
    message: string,
    readonly tail: string,
  ) {
    super(message);
  }
}

export function runProcess(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: opts.env, cwd: opts.cwd, stdio: ['ignore', opts.capture ? 'pipe' : 'ignore', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout?.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code === 0) resolve(out);
      else {
        const tail = err.trim().split('\n').slice(-2).join(' / ');
        reject(new ProcessError(`${[cmd, ...args].join(' ')} ${signal ? `was killed by ${signal}` : `failed with exit code ${code}`}${tail ? `: ${tail}` : ''}`, tail));
      }
    });
  });
}

/** Is a program on PATH? (`command -v`, without a shell.) */
export function onPath(name: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (!dir) continue;
    try {
      fs.accessSync(`${dir}/${name}`, fs.constants.X_OK);
      return `${dir}/${name}`;
    } catch {
      // not in this directory
    }
  }
  return null;
}
