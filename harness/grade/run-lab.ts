/**
 * One lab on one student's build: the INSTRUCTOR's lab runner and checks
 * (harness/lab.ts --jsonl) against the student's bin/tiny-docker, in a
 * child process with a private state root, a cgroup and a timeout. Results
 * stream as JSON lines, so the points earned before a hang are kept.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { cleanLeftovers, describeLeftovers, type CleanScope } from '../cleanup.ts';
import { HARNESS_ROOT } from '../labs.ts';
import type { Lab } from '../lab-api.ts';
import type { CheckResult } from '../runner.ts';
import { containment } from './contain.ts';

export interface LabGrade {
  lab: string;
  score: number;
  total: number;
  checks: CheckResult[];
  /** Why points were lost beyond failed checks: timed out, crashed, left junk. */
  notes: string[];
}

export interface LabRunOptions {
  wt: string;
  image: string;
  timeoutMs: number;
  scope: CleanScope;
  tag: string;
  limits: { memoryBytes: number; pids: number };
  onCheck?: (r: CheckResult) => void;
}

export async function gradeLab(lab: Lab, o: LabRunOptions): Promise<LabGrade & { containment: string }> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), `tdk-grade-${o.tag}-`));
  const cg = containment(`tdk-grade-${process.pid}-${o.tag}-${lab.id.slice(0, 2)}`, o.limits);
  const tsx = path.join(HARNESS_ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');
  const argv = cg.wrap([process.execPath, tsx, path.join(HARNESS_ROOT, 'harness', 'lab.ts'), lab.id, '--jsonl', '--no-build', '--bin', path.join(o.wt, 'bin', 'tiny-docker'), '--project', o.wt, '--image', o.image]);
  const checks: CheckResult[] = [];
  const notes: string[] = [];
  let stderr = '';
  const { code, timedOut } = await new Promise<{ code: number | null; timedOut: boolean }>((resolve) => {
    const child = spawn(argv[0]!, argv.slice(1), {
      cwd: o.wt,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, TINY_DOCKER_ROOT: root, TINY_DOCKER_LAB_TMP: root, TINY_DOCKER_LAB_STATUS: path.join(root, 'lab-status.json'), FORCE_COLOR: '0', NO_COLOR: '1' },
    });
    let buf = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      buf += d;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        try {
          const msg = JSON.parse(line) as { type: string } & CheckResult;
          if (msg.type === 'check') {
            checks.push(msg);
            o.onCheck?.(msg);
          }
        } catch {
          // not a result line
        }
      }
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-4000)));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, 'SIGKILL'); // the runner, the CLI and the containers it started
      } catch {
        // gone
      }
    }, o.timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, timedOut });
    });
  });

  // Checks that never reported: not reached because of a hang or a crash.
  const done = new Set(checks.map((c) => c.id));
  const missing = lab.checks.map((c, i) => ({ c, n: i + 1 })).filter(({ c }) => !done.has(c.id));
  if (timedOut) {
    const at = missing[0];
    notes.push(`timed out after ${Math.round(o.timeoutMs / 1000)} s${at ? ` during ${lab.id.slice(0, 2)}.${at.n} "${at.c.title}"` : ''}`);
  } else if (missing.length && code !== 0) {
    notes.push(`the lab runner crashed (exit ${code}): ${stderr.trim().split('\n').slice(-1)[0] ?? ''}`);
  }
  for (const { c, n } of missing) {
    checks.push({ lab: lab.id, id: c.id, n, title: c.title, status: timedOut ? 'timeout' : 'fail', points: c.points ?? 1, earned: 0, reason: timedOut ? 'not reached: the lab timed out' : 'not reached: the runner crashed', hint: c.hint, runs: c.runs, durationMs: 0 });
  }
  checks.sort((a, b) => a.n - b.n);
  const junk = describeLeftovers(cleanLeftovers(root, o.scope, cg.dirs));
  if (junk && !timedOut) notes.push(junk);
  const counted = checks.filter((c) => c.status !== 'unavailable');
  return {
    lab: lab.id,
    score: counted.reduce((s, c) => s + c.earned, 0),
    total: counted.reduce((s, c) => s + c.points, 0),
    checks,
    notes,
    containment: cg.describe,
  };
}
