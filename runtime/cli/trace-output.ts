/**
 * Prints the teaching trace on stderr as it happens, grouped by phase, and
 * optionally collects it as JSON (--trace-file).
 */
import * as fs from 'node:fs';
import { chalkStderr as c } from 'chalk';
import { setTracer, type TraceEvent } from '../sys/trace.ts';

export function formatEvent(e: TraceEvent): string {
  const who = e.source === 'init' ? c.magenta('init ') : '     ';
  const result = e.ok ? c.green(e.result) : c.red(e.result);
  return `${c.dim(e.at.toFixed(2).padStart(8))} ${who}${e.call} ${result}  ${c.dim(e.durationMs.toFixed(2) + ' ms')}`;
}

export function startCliTrace(opts: { file?: string | undefined; print: boolean }): void {
  const events: TraceEvent[] = [];
  let phase = '';
  setTracer({
    event(e) {
      events.push(e);
      if (!opts.print) return;
      if (e.phase !== phase) {
        phase = e.phase;
        process.stderr.write(c.bold.cyan(`── ${phase}\n`));
      }
      process.stderr.write(formatEvent(e) + '\n');
    },
  });
  if (opts.file) {
    const file = opts.file;
    process.on('exit', () => fs.writeFileSync(file, JSON.stringify({ version: 1, events }, null, 2) + '\n'));
  }
}
