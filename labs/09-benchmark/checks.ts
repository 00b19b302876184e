/**
 * Lab 09 — measuring: where do the milliseconds of a container start go?
 * The teaching trace shows every step; the bench suite compares us with
 * the floor (spawn, node), the peers (unshare, runc) and the routed path.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { defineLab, expectExit, fail } from '../../harness/lab-api.ts';

export default defineLab({
  id: '09-benchmark',
  title: 'Measuring: the trace and the benchmark report',
  idea: 'Measure before you optimise: the trace shows each kernel step with its time, the bench compares medians against the floor and the peers.',
  checks: [
    {
      id: 'trace-steps',
      title: 'run --trace shows unshare, pivot_root and exec, in that order',
      runs: 'tiny-docker run --trace true',
      expect: 'unshare(CLONE_NEW…) … pivot_root(".", ".") … init exec, on stderr',
      hint: 'every kernel call goes through runtime/sys (the one door), which reports it to the tracer',
      requires: [{ runFlag: 'trace' }],
      async verify(t) {
        const r = await t.cli(['run', '--rootfs', t.image, '--trace', 'true']);
        expectExit(r, 0);
        const at = (re: RegExp) => r.stderr.search(re);
        // tiny-init's own lines are marked "init": its execve is the last step before the command runs
        const steps = [/unshare\(CLONE_NEW/, /pivot_root\(/, /\binit\s+exec/];
        const pos = steps.map(at);
        if (pos.some((p) => p < 0)) fail(`missing from the trace: ${steps.filter((_, i) => pos[i]! < 0).map(String).join(', ')}`);
        if (!(pos[0]! < pos[1]! && pos[1]! < pos[2]!)) fail('the steps are out of order (expected unshare, then pivot_root, then exec)');
      },
    },
    {
      id: 'trace-file',
      title: '--trace-file writes the same events as JSON',
      runs: 'tiny-docker run --trace-file trace.json true',
      expect: 'a JSON file with an events array, each with call, result and durationMs',
      hint: 'the CLI collects events and writes them at exit (runtime/cli/trace-output.ts)',
      requires: [{ runFlag: 'trace-file' }],
      async verify(t) {
        const file = path.join(t.scratch, 'trace.json');
        expectExit(await t.cli(['run', '--rootfs', t.image, '--trace-file', file, 'true']), 0);
        let doc: { events?: { call?: string; durationMs?: number }[] };
        try {
          doc = JSON.parse(fs.readFileSync(file, 'utf8'));
        } catch (err) {
          fail(`${file} is not JSON: ${(err as Error).message}`);
        }
        const events = doc.events ?? [];
        if (events.length < 5) fail(`only ${events.length} events`);
        if (!events.some((e) => /^unshare\(/.test(e.call ?? ''))) fail('no unshare event in the file');
        if (events.some((e) => typeof e.durationMs !== 'number')) fail('an event has no durationMs');
      },
    },
    {
      id: 'bench-report',
      title: 'npm run bench -- --quick writes a markdown report with a table and an SVG chart',
      runs: 'npm run bench -- --quick',
      expect: 'reports/bench-<date>-<host>.md with median and p99 columns, an unshare row and an <svg>',
      hint: 'tinybench suites in bench/, a report writer that embeds the SVG bar chart',
      requires: [{ file: 'bench/run.ts' }],
      timeoutMs: 600_000,
      async verify(t) {
        const started = Date.now();
        const r = await t.host('npm', ['run', '--silent', 'bench', '--', '--quick'], { timeoutMs: 590_000, env: { FORCE_COLOR: '0' } });
        expectExit(r, 0);
        const dir = path.join(t.project, 'reports');
        const fresh = fs
          .readdirSync(dir)
          .filter((f) => /^bench-.*\.md$/.test(f))
          .map((f) => path.join(dir, f))
          .filter((f) => fs.statSync(f).mtimeMs >= started - 1000);
        if (!fresh.length) fail(`no new reports/bench-*.md after npm run bench (stdout: ${r.stdout.trim().slice(-160)})`);
        const md = fs.readFileSync(fresh[0]!, 'utf8');
        const checks = [
          [/median/i, 'median column'],
          [/p99/i, 'p99 column'],
          [/unshare/i, 'unshare row'],
          [/<svg|!\[[^\]]*\]\([^)]+\.svg\)/i, 'SVG chart (inline or linked)'],
          [/routed/i, 'routed row (measured or marked not available)'],
        ] as const;
        for (const [re, what] of checks) {
          if (!re.test(md)) fail(`${path.basename(fresh[0]!)} has no ${what}`);
        }
      },
    },
  ],
});
