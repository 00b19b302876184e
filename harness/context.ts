/**
 * The CheckContext a lab's checks get: the CLI under test as a process,
 * with a private state root, and bookkeeping so that whatever a check
 * starts is stopped when it ends (or times out).
 */
import * as fs from 'node:fs';
import { spawn, type ChildProcess } from 'node:child_process';
import type { Background, CheckContext, RunOptions, RunResult } from './lab-api.ts';
import { q } from './lab-api.ts';
import { detectNotImplemented } from './not-implemented.ts';

export interface ContextOptions {
  bin: string;
  root: string;
  image: string;
  project: string;
  scratch: string;
}

/** Environment for every CLI call: no colour, private root, nothing inherited that could route or trace. */
function cliEnv(root: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1', TINY_DOCKER_ROOT: root, ...extra };
  delete env.TINY_DOCKER_TRACE;
  return env;
}

export class LiveContext implements CheckContext {
  readonly root: string;
  readonly image: string;
  readonly project: string;
  readonly scratch: string;
  private readonly bin: string;
  private readonly children = new Set<ChildProcess>();
  readonly tracked: string[] = [];

  constructor(o: ContextOptions) {
    this.bin = o.bin;
    this.root = o.root;
    this.image = o.image;
    this.project = o.project;
    this.scratch = o.scratch;
  }

  private exec(file: string, args: string[], display: string, opts: RunOptions, env: NodeJS.ProcessEnv): Promise<RunResult> {
    return new Promise((resolve) => {
      // Own process group, so a timeout can stop the CLI and anything it started.
      const child = spawn(file, args, { env, cwd: opts.cwd ?? this.project, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
      this.children.add(child);
      let stdout = '';
      let stderr = '';
      child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      child.stdin!.on('error', () => undefined);
      child.stdin!.end(opts.input ?? '');
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        killGroup(child, 'SIGKILL');
      }, opts.timeoutMs ?? 25_000);
      child.on('error', (err) => {
        stderr += `${err.message}\n`;
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        this.children.delete(child);
        if (timedOut) stderr += `(killed after ${opts.timeoutMs ?? 25_000} ms)\n`;
        resolve({ command: display, code: code ?? 128 + signalNumber(signal), stdout, stderr });
      });
    });
  }

  async cli(args: string[], opts: RunOptions = {}): Promise<RunResult> {
    const display = ['tiny-docker', ...args].map(q).join(' ');
    const r = await this.exec(this.bin, ['--root', this.root, ...args], display, opts, cliEnv(this.root, opts.env));
    detectNotImplemented(r.stderr);
    return r;
  }

  sh(script: string, flags: string[] = [], opts: RunOptions = {}): Promise<RunResult> {
    return this.cli(['run', '--rootfs', this.image, ...flags, 'sh', '-c', script], opts).then((r) => ({
      ...r,
      command: ['tiny-docker', 'run', ...flags, 'sh', '-c', script].map(q).join(' '),
    }));
  }

  host(file: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
    return this.exec(file, args, [file, ...args].map(q).join(' '), opts, { ...process.env, ...opts.env });
  }

  background(script: string, flags: string[] = []): Background {
    const command = ['tiny-docker', 'run', ...flags, 'sh', '-c', script].map(q).join(' ');
    const child = spawn(this.bin, ['--root', this.root, 'run', '--rootfs', this.image, ...flags, 'sh', '-c', script], {
      env: cliEnv(this.root),
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    this.children.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const closed = new Promise<RunResult>((resolve) =>
      child.on('close', (code, signal) => {
        this.children.delete(child);
        resolve({ command, code: code ?? 128 + signalNumber(signal), stdout, stderr });
      }),
    );
    return {
      command,
      containerPids: () => childrenOf(child.pid ?? -1),
      output: () => stdout,
      waitFor: async (re, timeoutMs = 15_000) => {
        const until = Date.now() + timeoutMs;
        for (;;) {
          const m = stdout.match(re);
          if (m) return m;
          if (child.exitCode !== null || child.signalCode !== null || Date.now() > until) {
            await Promise.race([closed, sleep(200)]);
            detectNotImplemented(stderr);
            const why = child.exitCode !== null ? `exited ${child.exitCode}: ${stderr.trim().split('\n')[0] ?? ''}` : `printed nothing matching ${re} within ${timeoutMs} ms`;
            throw new Error(`\`${command}\` ${why}`);
          }
          await sleep(50);
        }
      },
      stop: async () => {
        if (child.exitCode === null && child.signalCode === null) {
          // SIGTERM to the CLI alone: it forwards it to the container's PID 1.
          try {
            process.kill(child.pid!, 'SIGTERM');
          } catch {
            // already gone
          }
          const t = setTimeout(() => killGroup(child, 'SIGKILL'), 3000);
          const r = await closed;
          clearTimeout(t);
          return r;
        }
        return closed;
      },
    };
  }

  track(nameOrId: string): void {
    this.tracked.push(nameOrId);
  }

  /** Stop whatever is still running: called after each check, and on timeout. */
  async release(): Promise<void> {
    for (const c of this.children) killGroup(c, 'SIGKILL');
    const names = this.tracked.splice(0);
    for (const n of names) {
      await this.exec(this.bin, ['--root', this.root, 'rm', '-f', n], 'rm -f', { timeoutMs: 15_000 }, cliEnv(this.root)).catch(() => undefined);
    }
    const until = Date.now() + 3000;
    while (this.children.size && Date.now() < until) await sleep(20);
  }
}

function killGroup(child: ChildProcess, sig: NodeJS.Signals): void {
  if (!child.pid) return;
  try {
    process.kill(-child.pid, sig); // the whole group: the CLI and what it spawned
  } catch {
    try {
      process.kill(child.pid, sig);
    } catch {
      // already gone
    }
  }
}

const SIGNALS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15, SIGSEGV: 11, SIGABRT: 6 };
function signalNumber(sig: NodeJS.Signals | null): number {
  return sig ? (SIGNALS[sig] ?? 0) : 0;
}

/** Pids whose parent is `ppid` (from /proc/PID/stat). */
export function childrenOf(ppid: number): number[] {
  const out: number[] = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === ppid) out.push(Number(d));
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
