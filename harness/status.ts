/**
 * The small results file behind `npm run lab` (no argument): the last
 * outcome of each lab, kept in reports/lab-status.json of the checkout.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { LabResult } from './runner.ts';

export interface LabStatus {
  status: LabResult['status'];
  score: number;
  total: number;
  at: string;
}

/** TINY_DOCKER_LAB_STATUS moves the file; `off` turns recording off (tests, README transcripts). */
export function statusFile(project: string): string | null {
  const env = process.env.TINY_DOCKER_LAB_STATUS;
  if (env === 'off') return null;
  return env ?? path.join(project, 'reports', 'lab-status.json');
}

export function readStatus(project: string): Record<string, LabStatus> {
  const file = statusFile(project);
  // Only read regular files: reading a fifo would block forever.
  if (!file || !fs.statSync(file, { throwIfNoEntry: false })?.isFile()) return {};
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, LabStatus>;
  } catch {
    return {};
  }
}

export function recordStatus(project: string, r: LabResult): void {
  const all = readStatus(project);
  all[r.lab] = { status: r.status, score: r.score, total: r.total, at: new Date().toISOString() };
  const file = statusFile(project);
  if (!file) return;
  // Never rename over something that is not a regular file: pointed at
  // /dev/null, the atomic rename below once replaced the host's /dev/null.
  const existing = fs.statSync(file, { throwIfNoEntry: false });
  if (existing && !existing.isFile()) return;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(all, null, 2) + '\n');
  fs.renameSync(tmp, file);
}
