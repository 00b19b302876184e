/**
 * Runs one lab's checks, one after another, each with its own timeout, and
 * reports each result as soon as it is known (the grader relies on that to
 * keep the points earned before a hang).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Availability } from './availability.ts';
import { LiveContext, sleep } from './context.ts';
import type { Check, Lab } from './lab-api.ts';
import { NotImplemented } from './not-implemented.ts';

export type CheckStatus = 'pass' | 'fail' | 'todo' | 'unavailable' | 'timeout';

export interface CheckResult {
  lab: string;
  id: string;
  /** 1-based position in the lab, shown as 02.3 */
  n: number;
  title: string;
  status: CheckStatus;
  points: number;
  earned: number;
  /** Why it failed (or what is not available). */
  reason?: string;
  hint?: string;
  runs: string;
  durationMs: number;
}

export interface LabResult {
  lab: string;
  title: string;
  results: CheckResult[];
  /** Points earned / points of the checks that could run. */
  score: number;
  total: number;
  status: 'passed' | 'failing' | 'not started' | 'not available';
}

export interface RunOptions {
  bin: string;
  project: string;
  image: string;
  /** Check ids to run (default: all). */
  only?: string[];
  onResult?: (r: CheckResult) => void;
}

export function summarize(lab: Lab, results: CheckResult[]): LabResult {
  const counted = results.filter((r) => r.status !== 'unavailable');
  const score = counted.reduce((s, r) => s + r.earned, 0);
  const total = counted.reduce((s, r) => s + r.points, 0);
  let status: LabResult['status'] = 'failing';
  if (counted.length === 0) status = 'not available';
  else if (counted.every((r) => r.status === 'todo')) status = 'not started';
  else if (score === total) status = 'passed';
  return { lab: lab.id, title: lab.title, results, score, total, status };
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout;
  return Promise.race([p, new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), ms)))]).finally(() => clearTimeout(timer));
}

async function runOne(lab: Lab, check: Check, n: number, avail: Availability, o: RunOptions): Promise<CheckResult> {
  const points = check.points ?? 1;
  const base = { lab: lab.id, id: check.id, n, title: check.title, points, runs: check.runs };
  const missing = avail.check([...(lab.requires ?? []), ...(check.requires ?? [])]);
  if (missing) return { ...base, status: 'unavailable', earned: 0, reason: `not available in this build yet: ${missing}`, durationMs: 0 };

  // Under the grader, TINY_DOCKER_LAB_TMP is the lab's private root: a killed run leaves nothing outside it.
  const root = fs.mkdtempSync(path.join(process.env.TINY_DOCKER_LAB_TMP ?? os.tmpdir(), `tdk-lab-${lab.id.slice(0, 2)}-`));
  const scratch = path.join(root, 'scratch');
  fs.mkdirSync(scratch);
  const ctx = new LiveContext({ bin: o.bin, root, image: o.image, project: o.project, scratch });
  const start = performance.now();
  let status: CheckStatus = 'pass';
  let reason: string | undefined;
  const timeoutMs = check.timeoutMs ?? 30_000;
  try {
    const r = await withTimeout(check.verify(ctx), timeoutMs);
    if (r === 'timeout') {
      status = 'timeout';
      reason = `timed out after ${Math.round(timeoutMs / 1000)} s`;
    }
  } catch (err) {
    if (err instanceof NotImplemented) {
      status = 'todo';
      // Another lab's stub stands in the way: say so, or the student hunts in the wrong place.
      reason = err.lab === lab.id ? err.message : `${err.message} (every container goes through that code, so ${lab.id} cannot pass before it)`;
    } else {
      status = 'fail';
      reason = err instanceof Error ? err.message : String(err);
    }
  } finally {
    await ctx.release();
    await removeRoot(root);
  }
  const result: CheckResult = { ...base, status, earned: status === 'pass' ? points : 0, durationMs: Math.round(performance.now() - start) };
  if (reason) result.reason = reason;
  if (status !== 'pass') result.hint = check.hint;
  return result;
}

/** The private root holds overlay dirs (and, after a crash, maybe mounts): unmount, then delete. */
async function removeRoot(root: string): Promise<void> {
  const { cleanStateRoot } = await import('./cleanup.ts');
  for (let i = 0; i < 3; i++) {
    try {
      cleanStateRoot(root);
      return;
    } catch {
      await sleep(200);
    }
  }
}

export async function runLab(lab: Lab, o: RunOptions): Promise<LabResult> {
  const avail = new Availability(o.bin, o.project);
  const results: CheckResult[] = [];
  for (const [i, check] of lab.checks.entries()) {
    if (o.only && !o.only.includes(check.id)) continue;
    const r = await runOne(lab, check, i + 1, avail, o);
    results.push(r);
    o.onResult?.(r);
  }
  return summarize(lab, results);
}
