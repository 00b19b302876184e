/**
 * Just enough TAP (Test Anything Protocol, version 13) to score the
 * runtime-tools validation programs: count the top-level "ok"/"not ok"
 * lines (YAML diagnostics are indented, so they never start a line with
 * "ok"), and keep the names of the failures. Pure.
 */
export interface TapSummary {
  passed: number;
  failed: number;
  skipped: number;
  planned: number | null;
  failures: string[];
}

export function parseTap(text: string): TapSummary {
  const s: TapSummary = { passed: 0, failed: 0, skipped: 0, planned: null, failures: [] };
  for (const line of text.split('\n')) {
    const plan = /^1\.\.(\d+)/.exec(line);
    if (plan) s.planned = Number(plan[1]);
    const m = /^(not )?ok\b(?:\s+\d+)?\s*(?:-\s*)?(.*)$/.exec(line);
    if (!m) continue;
    if (/#\s*skip/i.test(m[2] ?? '')) s.skipped++;
    if (m[1]) {
      s.failed++;
      s.failures.push((m[2] ?? '').trim());
    } else s.passed++;
  }
  return s;
}

export interface ProgramResult {
  program: string;
  exitCode: number | null;
  timedOut: boolean;
  tap: TapSummary;
  /** The program's TAP output, as written. */
  tapText: string;
  stderr: string;
  ms: number;
}

/** A program passes when it exits 0 and reports no failed assertion (as runtime-tools' own `make localvalidation` judges it with node-tap). */
export function programPassed(r: ProgramResult): boolean {
  return r.exitCode === 0 && !r.timedOut && r.tap.failed === 0;
}
