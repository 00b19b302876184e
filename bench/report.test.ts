/**
 * The reports a user reads: a quick bench run writes a markdown table and an
 * SVG chart that show the same numbers, and a trace report's timeline agrees
 * with the trace JSON. No timing is asserted, only that what is written is
 * well-formed and consistent.
 */
import { afterAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runContainer } from '../runtime/container.ts';
import { Store } from '../runtime/store.ts';
import { setTracer, type TraceEvent } from '../runtime/sys/trace.ts';
import { makeSpec, mountCount, tempRoot } from '../test/helpers.ts';
import { runBench } from './run.ts';
import { writeTraceReport } from './report/cli.ts';
import { ms } from './report/svg.ts';

const out = tempRoot('bench-report');
afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

/** Tags must nest and close: enough to catch a broken SVG without an XML library. */
function expectWellFormedSvg(svg: string): void {
  expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
  const stack: string[] = [];
  for (const m of svg.matchAll(/<(\/?)([a-zA-Z]+)[^>]*?(\/?)>/g)) {
    const [, close, name, selfClose] = m;
    if (selfClose) continue;
    if (close) expect(stack.pop()).toBe(name);
    else stack.push(name!);
  }
  expect(stack).toEqual([]);
  expect(svg).not.toMatch(/&(?!amp;|lt;|gt;|quot;)/);
}

/** The rows of the markdown table whose header starts with `firstHeader`. */
function markdownTable(md: string, firstHeader: string): Record<string, string>[] {
  const lines = md.split('\n');
  const start = lines.findIndex((l) => l.startsWith(`| ${firstHeader} |`));
  expect(start).toBeGreaterThanOrEqual(0);
  const split = (l: string) => l.slice(1, -1).split(/(?<!\\)\|/).map((c) => c.trim());
  const header = split(lines[start]!);
  const rows: Record<string, string>[] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    const cells = split(line);
    expect(cells.length).toBe(header.length);
    rows.push(Object.fromEntries(header.map((h, i) => [h, cells[i]!])));
  }
  return rows;
}

const attr = (tag: string, name: string) => new RegExp(`${name}="([^"]*)"`).exec(tag)?.[1];

describe('npm run bench -- --quick', () => {
  it('writes a report whose table and chart show the same numbers', async () => {
    const mounts = mountCount();
    const { result, files } = await runBench({ quick: true, json: true, outDir: out, progress: () => undefined });
    expect(mountCount()).toBe(mounts);
    expect(path.basename(files.markdown)).toMatch(/^bench-\d{4}-\d\d-\d\d-.+-quick\.md$/);
    const md = fs.readFileSync(files.markdown, 'utf8');
    const svg = fs.readFileSync(files.svg, 'utf8');
    expectWellFormedSvg(svg);
    expect(md).toContain(`![median latency per row](${path.basename(files.svg)})`);
    for (const heading of ['## Environment', '## Goals', '## Throughput', '## Scaling', '## Detached containers', '## What it means']) expect(md).toContain(heading);

    // Every row is in the table (unavailable ones marked, not dropped) and in the chart.
    const table = markdownTable(md, 'row');
    expect(table.map((r) => r.row)).toEqual(result.rows.map((r) => r.label));
    const bars = new Map([...svg.matchAll(/<g data-id="[^"]*"[^>]*>[\s\S]*?<\/g>/g)].map((m) => [attr(m[0], 'data-id')!, m[0]]));
    for (const row of result.rows) {
      const cells = table.find((r) => r.row === row.label)!;
      const bar = bars.get(row.id);
      expect(bar, `chart entry for ${row.id}`).toBeDefined();
      if (row.status === 'ok') {
        expect(cells['median ms']).toBe(ms(row.stats!.median));
        expect(attr(bar!, 'data-median')).toBe(cells['median ms']);
        expect(bar).toContain(`>${cells['median ms']} ms</text>`);
        expect(Number(cells['p99 ms'])).toBeGreaterThanOrEqual(Number(cells['median ms']));
      } else {
        expect(cells['median ms']).toMatch(/^(not available here|failed here)$/);
        expect(attr(bar!, 'data-status')).toBe(row.status);
      }
    }
    // The rows the issue asks for are all there, whatever this machine has.
    for (const id of ['floor-spawn', 'floor-node', 'floor-node-esm', 'runtime-none', 'runtime-none-tmpfs', 'runtime-bridge', 'trace-on', 'trace-off', 'cli-run', 'cli-version', 'cli-routed', 'peer-unshare', 'peer-runc', 'peer-crun']) {
      expect(result.rows.map((r) => r.id)).toContain(id);
    }
    expect(markdownTable(md, 'in parallel').map((r) => r['in parallel'])).toEqual(['1', '2', '4']);
    expect(markdownTable(md, 'existing').map((r) => r.existing)).toEqual(['0', '20']);
    expect(JSON.parse(fs.readFileSync(files.json!, 'utf8'))).toEqual(JSON.parse(JSON.stringify(result)));
    // The breakdown adds up to the whole run, and one traced run is drawn next to the report.
    expect(md).toContain('## Where the milliseconds of an in-process run go');
    const shares = markdownTable(md, 'where').map((r) => Number(r.share!.replace('%', '')));
    expect(Math.abs(shares.reduce((a, b) => a + b, 0) - 100)).toBeLessThan(1); // each share is rounded to 0.1
    const timeline = /!\[timeline of one traced run\]\(([^)]+)\)/.exec(md)?.[1];
    expectWellFormedSvg(fs.readFileSync(path.join(out, timeline!), 'utf8'));
  }, 240_000);
});

describe('npm run report -- trace.json', () => {
  it('draws a timeline that agrees with the trace JSON', async () => {
    const events: TraceEvent[] = [];
    const root = tempRoot('bench-trace');
    setTracer({ event: (e) => void events.push(e) });
    try {
      const c = await runContainer(makeSpec(['/bin/true']), { store: new Store(root), stdio: ['ignore', 'ignore', 'ignore'] });
      await c.wait();
    } finally {
      setTracer(null);
      fs.rmSync(root, { recursive: true, force: true });
    }
    const file = path.join(out, 'run-true.json');
    fs.writeFileSync(file, JSON.stringify({ version: 1, events }));
    const report = writeTraceReport(file, out);
    const svg = fs.readFileSync(report.svg, 'utf8');
    const md = fs.readFileSync(report.markdown, 'utf8');
    expectWellFormedSvg(svg);
    expect(md).toContain(`![timeline of the trace](${path.basename(report.svg)})`);

    const x0 = Number(attr(svg, 'data-x0'));
    const scale = Number(attr(svg, 'data-px-per-ms'));
    const bars = [...svg.matchAll(/<g data-index="\d+"[\s\S]*?<\/g>/g)].map((m) => m[0]);
    const rows = markdownTable(md, '#');
    expect(bars.length).toBe(events.length);
    expect(rows.length).toBe(events.length);
    for (const [i, bar] of bars.entries()) {
      const e = events[Number(attr(bar, 'data-index'))]!;
      // The picture: the bar starts at `at` and is `durationMs` long on the axis.
      const rect = /<rect [^>]*>/.exec(bar)![0];
      expect(Number(attr(rect, 'x'))).toBeCloseTo(x0 + e.at * scale, 1);
      expect(Number(attr(rect, 'width'))).toBeCloseTo(Math.max(1.5, e.durationMs * scale), 1);
      expect(attr(bar, 'data-phase')).toBe(e.phase);
      expect(attr(bar, 'data-source')).toBe(e.source);
      // The table lists the same events in the same (time) order.
      expect(rows[i]!['#']).toBe(attr(bar, 'data-index'));
      expect(rows[i]!['at ms']).toBe(ms(e.at));
      expect(rows[i]!.ms).toBe(ms(e.durationMs));
      expect(rows[i]!.phase).toBe(e.phase);
    }
    // Steps tiny-init reported from inside are marked as such.
    expect(bars.filter((b) => attr(b, 'data-source') === 'init').length).toBe(events.filter((e) => e.source === 'init').length);
    expect(bars.some((b) => b.includes('init ▸ mount(&quot;proc&quot;'))).toBe(true);
  });
});
