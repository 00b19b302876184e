/**
 * Getting a student's worktree ready to test: dependencies (reused when the
 * lockfile matches the instructor's), then the TypeScript check and the CLI
 * bundle. Each step reports the command, exit code, duration and the tail
 * of its output when it fails.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn } from 'node:child_process';

export interface StepResult {
  ok: boolean;
  /** One line for the grade book, e.g. "does not compile: runtime/x.ts(3,1): error TS1005: ';' expected". */
  reason?: string;
  durationMs: number;
}

function hash(file: string): string | null {
  try {
    return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
  } catch {
    return null;
  }
}

/** Run a command with a timeout; resolve with its exit code and output (never throws). */
export function runStep(file: string, args: string[], cwd: string, timeoutMs: number, env: NodeJS.ProcessEnv = process.env): Promise<{ code: number | null; output: string; timedOut: boolean; durationMs: number }> {
  const start = performance.now();
  return new Promise((resolve) => {
    const child = spawn(file, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // gone
      }
    }, timeoutMs);
    child.on('error', (e) => (output += e.message));
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output, timedOut, durationMs: Math.round(performance.now() - start) });
    });
  });
}

function firstErrorLine(output: string): string {
  const lines = output.split('\n').map((l) => l.trim()).filter(Boolean);
  return (lines.find((l) => /error|Error|ERR!/.test(l)) ?? lines[0] ?? '').slice(0, 240);
}

/** node_modules: a symlink to the instructor's when package-lock.json is identical, else `npm ci`. */
export async function installDeps(wt: string, instructorRoot: string, timeoutMs: number): Promise<StepResult & { reused: boolean }> {
  const start = performance.now();
  const mine = hash(path.join(wt, 'package-lock.json'));
  const theirs = hash(path.join(instructorRoot, 'package-lock.json'));
  const target = path.join(wt, 'node_modules');
  fs.rmSync(target, { recursive: true, force: true });
  if (mine !== null && mine === theirs) {
    fs.symlinkSync(fs.realpathSync(path.join(instructorRoot, 'node_modules')), target);
    return { ok: true, reused: true, durationMs: Math.round(performance.now() - start) };
  }
  // --ignore-scripts: a student's lockfile may pull anything; nothing of theirs runs at install time
  const r = await runStep('npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund'], wt, timeoutMs);
  if (r.code === 0) return { ok: true, reused: false, durationMs: r.durationMs };
  const why = r.timedOut ? `timed out after ${Math.round(timeoutMs / 1000)} s` : firstErrorLine(r.output);
  return { ok: false, reused: false, reason: `does not install: npm ci exited ${r.code ?? 'by signal'}: ${why}`, durationMs: r.durationMs };
}

/** `tsc --noEmit -p .`, then the esbuild bundle bin/tiny-docker runs. */
export async function compile(wt: string, instructorRoot: string, timeoutMs: number): Promise<StepResult> {
  const tsc = path.join(instructorRoot, 'node_modules', 'typescript', 'bin', 'tsc');
  const t = await runStep(process.execPath, [tsc, '--noEmit', '-p', '.'], wt, timeoutMs);
  if (t.code !== 0) {
    const why = t.timedOut ? `tsc timed out after ${Math.round(timeoutMs / 1000)} s` : firstErrorLine(t.output);
    return { ok: false, reason: `does not compile: ${why}`, durationMs: t.durationMs };
  }
  const b = await runStep(process.execPath, [path.join(wt, 'scripts', 'build.mjs'), '--quiet'], wt, timeoutMs);
  if (b.code !== 0) return { ok: false, reason: `does not compile (bundle): ${firstErrorLine(b.output)}`, durationMs: t.durationMs + b.durationMs };
  return { ok: true, durationMs: t.durationMs + b.durationMs };
}
