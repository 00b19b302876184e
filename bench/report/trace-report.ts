/**
 * A trace as a markdown report: "where do the milliseconds of a container
 * start go?" The timeline (SVG, linked), the time per phase, the biggest
 * steps, the time no traced step covers, and every event in a table.
 */
import type { TraceEvent } from '../../runtime/sys/trace.ts';
import { ms } from './svg.ts';
import { timelineOrder } from './timeline.ts';

/** Total length of the union of [at, at + duration] intervals: time some step was running. */
export function coveredMs(events: readonly TraceEvent[]): number {
  const spans = events.map((e) => [e.at, e.at + e.durationMs] as const).sort((a, b) => a[0] - b[0]);
  let total = 0;
  let [start, end] = [Number.NaN, Number.NaN];
  for (const [a, b] of spans) {
    if (Number.isNaN(start) || a > end) {
      if (!Number.isNaN(start)) total += end - start;
      [start, end] = [a, b];
    } else end = Math.max(end, b);
  }
  return Number.isNaN(start) ? 0 : total + (end - start);
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function traceMarkdown(events: readonly TraceEvent[], opts: { source: string; svgFile: string; shorten: (s: string) => string; containerDir: string | null }): string {
  const { shorten } = opts;
  const span = Math.max(0, ...events.map((e) => e.at + e.durationMs));
  const covered = coveredMs(events);
  const phases = new Map<string, { steps: number; ms: number }>();
  for (const e of events) {
    const p = phases.get(e.phase) ?? { steps: 0, ms: 0 };
    p.steps++;
    p.ms += e.durationMs;
    phases.set(e.phase, p);
  }
  const biggest = [...events].sort((a, b) => b.durationMs - a.durationMs).slice(0, 8);
  const failed = events.filter((e) => !e.ok);
  const lines = [
    '# Where the milliseconds of a container start go',
    '',
    `Trace: \`${opts.source}\` — ${events.length} events over ${ms(span)} ms.` + (opts.containerDir ? ` \`$C\` stands for the container's state directory \`${opts.containerDir}\`.` : ''),
    '',
    `![timeline of the trace](${opts.svgFile})`,
    '',
    'Bars are steps on one clock (the runtime\'s), coloured by phase; magenta outlines are steps tiny-init ran inside the container and reported back. The `waitpid` bar spans the life of the command itself.',
    '',
    '## Time per phase',
    '',
    '| phase | steps | ms in steps | share of the span |',
    '| --- | ---: | ---: | ---: |',
    ...[...phases].map(([p, v]) => `| ${p} | ${v.steps} | ${ms(v.ms)} | ${span > 0 ? ((100 * v.ms) / span).toFixed(1) : '0.0'}% |`),
    '',
    `Steps cover ${ms(covered)} ms of the ${ms(span)} ms; the other **${ms(span - covered)} ms** is time between traced steps: JavaScript, module loading, the event loop, and waiting for the kernel to schedule the child. (Steps can overlap — the three \`rm\` of cleanup run together — so the per-phase sums can exceed the span.)`,
    '',
    '## The biggest steps',
    '',
    '| ms | phase | step |',
    '| ---: | --- | --- |',
    ...biggest.map((e) => `| ${ms(e.durationMs)} | ${e.phase} | ${cell(shorten(e.call))} |`),
    '',
  ];
  if (failed.length) {
    lines.push('## What failed', '', ...failed.map((e) => `- \`${cell(shorten(e.call))}\` ${e.result}${e.hint ? ` — hint: ${cell(shorten(e.hint))}` : ''}`), '');
  }
  lines.push('## Every event, in time order', '', '| # | at ms | ms | phase | side | call | result |', '| ---: | ---: | ---: | --- | --- | --- | --- |');
  for (const { index, e } of timelineOrder(events)) {
    lines.push(`| ${index} | ${ms(e.at)} | ${ms(e.durationMs)} | ${e.phase} | ${e.source} | ${cell(shorten(e.call))} | ${cell(e.result)} |`);
  }
  lines.push('');
  return lines.join('\n');
}
