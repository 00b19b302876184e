/**
 * npm run bench [-- --quick] [-- --json] [-- --out DIR] [-- --only floors,peers,runtime,cli,throughput,scaling,lifecycle]
 *
 * Runs every suite, prints progress on stderr, and writes
 * reports/bench-<date>-<host>.md with its SVG chart (and .json with --json).
 * Needs root for the container rows; rows that cannot run are marked.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { chalkStderr as c } from 'chalk';
import { projectRoot } from '../runtime/init/binary.ts';
import { makeContext, type BenchContext } from './lib/context.ts';
import { environment } from './lib/env.ts';
import { FULL, QUICK, measureAll, type Planned } from './lib/measure.ts';
import type { BenchResult } from './lib/rows.ts';
import { writeBenchReport, type WrittenReport } from './report/write-bench.ts';
import { cliTasks } from './suites/cli.ts';
import { floorTasks } from './suites/floors.ts';
import { peerTasks } from './suites/peers.ts';
import { breakdowns, hookOffCost, lastTrace, runtimeTasks } from './suites/runtime.ts';
import { meanBreakdown } from './lib/breakdown.ts';
import { scalingRows } from './suites/scaling.ts';
import { throughputRows } from './suites/throughput.ts';
import { measureLifecycle } from './lifecycle.ts';

export const SUITES = ['floors', 'peers', 'runtime', 'cli', 'throughput', 'scaling', 'lifecycle'] as const;
export type SuiteName = (typeof SUITES)[number];

export interface BenchOptions {
  quick: boolean;
  json: boolean;
  outDir: string;
  only?: readonly SuiteName[];
  progress?: (message: string) => void;
}

/** Run the chosen suites and write the report; also used by bench/report.test.ts. */
export async function runBench(opts: BenchOptions): Promise<{ result: BenchResult; files: WrittenReport }> {
  const progress = opts.progress ?? ((m: string) => process.stderr.write(`${c.cyan('›')} ${m}\n`));
  const ctx: BenchContext = makeContext(opts.quick, opts.quick ? QUICK : FULL, progress);
  const want = (s: SuiteName) => !opts.only || opts.only.includes(s);
  const result: BenchResult = { version: 1, env: environment(opts.quick), suites: SUITES.filter(want), rows: [], throughput: [], scaling: [] };
  try {
    if (!ctx.isRoot) progress('not root: container rows will be marked "needs root"');
    // Latency rows first, all measured together in rounds (see lib/measure.ts).
    const planned: Planned[] = [];
    if (want('floors')) planned.push(...floorTasks(ctx));
    if (want('peers')) planned.push(...(await peerTasks(ctx)));
    if (want('runtime')) planned.push(...runtimeTasks(ctx));
    if (want('cli')) planned.push(...cliTasks(ctx));
    result.rows = await measureAll(planned, ctx.budget, progress);
    if (want('runtime')) {
      const events = Number(/^(\d+) events/.exec(result.rows.find((r) => r.id === 'trace-on')?.note ?? '')?.[1]);
      result.hookOff = { ...hookOffCost(), ...(events ? { callsPerRun: events } : {}) };
      if (breakdowns.length) result.breakdown = { runs: breakdowns.length, rows: meanBreakdown(breakdowns) };
    }
    if (want('throughput')) result.throughput = await throughputRows(ctx);
    if (want('scaling')) result.scaling = await scalingRows(ctx);
    // Detached containers (issue 5): tiny-monitor's memory and run -d vs run, from bench/lifecycle.ts.
    if (want('lifecycle') && ctx.isRoot) {
      progress('lifecycle: run -d vs run, tiny-monitor memory …');
      result.lifecycle = await measureLifecycle(opts.quick ? 3 : 15, ctx.rootfs);
    }
    result.env.load[1] = os.loadavg()[0]!;
  } finally {
    // Only directories remain: every container's mounts died with its mount namespace.
    for (const dir of [ctx.scratch, ...ctx.extraScratch]) fs.rmSync(dir, { recursive: true, force: true });
  }
  return { result, files: writeBenchReport(result, opts.outDir, { json: opts.json, trace: lastTrace }) };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      out: { type: 'string' },
      only: { type: 'string' },
    },
  });
  const only = values.only?.split(',').map((s) => s.trim()) as SuiteName[] | undefined;
  const bad = only?.filter((s) => !SUITES.includes(s));
  if (bad?.length) {
    process.stderr.write(`bench: unknown suite ${bad.join(', ')} (choose from ${SUITES.join(', ')})\n`);
    process.exit(2);
  }
  const started = performance.now();
  const { files } = await runBench({
    quick: values.quick ?? false,
    json: values.json ?? false,
    outDir: path.resolve(values.out ?? path.join(projectRoot(), 'reports')),
    ...(only ? { only } : {}),
  });
  process.stderr.write(`${c.green('✓')} bench done in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  process.stdout.write(`${files.markdown}\n${files.svg}\n${files.json ? files.json + '\n' : ''}`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  main().catch((err) => {
    process.stderr.write(`bench: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  });
}
