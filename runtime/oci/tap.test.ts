import { describe, expect, it } from 'vitest';
import { parseTap, programPassed } from './tap.ts';

describe('TAP scoring', () => {
  it('counts top-level results and ignores indented diagnostics', () => {
    const s = parseTap(['TAP version 13', 'ok 1 - a', '  ---', '  ok 7 - nested text', '  ...', 'not ok 2 - b', 'ok 3 # SKIP c', '1..3', ''].join('\n'));
    expect(s).toEqual({ passed: 2, failed: 1, skipped: 1, planned: 3, failures: ['b'] });
  });

  it('passes a program only when it exits 0 without failures', () => {
    const tap = parseTap('ok 1 - a\n1..1\n');
    expect(programPassed({ program: 'x', exitCode: 0, timedOut: false, tap, tapText: '', stderr: '', ms: 1 })).toBe(true);
    expect(programPassed({ program: 'x', exitCode: 1, timedOut: false, tap, tapText: '', stderr: '', ms: 1 })).toBe(false);
  });
});
