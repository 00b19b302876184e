/** Write a bench result as reports/bench-<date>-<host>.md, its chart .svg and (--json) .json. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BenchResult } from '../lib/rows.ts';
import { barChart } from './bars.ts';
import { benchMarkdown } from './bench-markdown.ts';
import { writeTraceReport } from './cli.ts';
import type { TraceEvent } from '../../runtime/sys/trace.ts';

export interface WrittenReport {
  markdown: string;
  svg: string;
  json: string | null;
}

export function writeBenchReport(result: BenchResult, outDir: string, opts: { json: boolean; trace?: readonly TraceEvent[] }): WrittenReport {
  fs.mkdirSync(outDir, { recursive: true });
  const host = result.env.host.replace(/[^A-Za-z0-9._-]/g, '_');
  const base = `bench-${result.env.date.slice(0, 10)}-${host}${result.env.quick ? '-quick' : ''}`;
  const svg = path.join(outDir, `${base}.svg`);
  const markdown = path.join(outDir, `${base}.md`);
  fs.writeFileSync(svg, barChart(result.rows, `Start-to-exit latency, median ms (${result.env.host}, ${result.env.date.slice(0, 10)})`));
  // One traced in-process run, as its own timeline report (npm run report renders the same).
  let trace: { markdown: string; svg: string } | null = null;
  if (opts.trace?.length) {
    const traceJson = path.join(outDir, `${base}-run.json`);
    fs.writeFileSync(traceJson, JSON.stringify({ version: 1, events: opts.trace }, null, 2) + '\n');
    trace = writeTraceReport(traceJson, outDir);
  }
  fs.writeFileSync(markdown, benchMarkdown(result, path.basename(svg), trace ? { markdown: path.basename(trace.markdown), svg: path.basename(trace.svg) } : null));
  let json: string | null = null;
  if (opts.json) {
    json = path.join(outDir, `${base}.json`);
    fs.writeFileSync(json, JSON.stringify(result, null, 2) + '\n');
  }
  return { markdown, svg, json };
}
