/**
 * Prints the teaching trace on stderr as it happens, grouped by phase, and
 * optionally collects it as JSON (--trace-file). `npm run report -- FILE`
 * (bench/report/) turns that JSON into a timeline.
 */
import * as fs from 'node:fs';
import { chalkStderr as c } from 'chalk';
import { setTracer, type TraceEvent, type TracePhase } from '../sys/trace.ts';
import { ignoreClosedReader } from './closed-reader.ts';

/** What each phase header says. */
export const PHASE_TITLES: Record<TracePhase, string> = {
  validate: 'validate',
  rootfs: 'rootfs',
  namespaces: 'namespaces',
  cgroups: 'cgroups',
  network: 'network',
  init: 'init handshake',
  exec: 'exec',
  wait: 'wait',
  cleanup: 'cleanup',
};

/** The container's state directory is long and repeated: print it once as $C. */
const CONTAINER_DIR = /\/[^\s",]*\/containers\/[0-9a-f]{64}/g;

export function formatEvent(e: TraceEvent, shorten: (s: string) => string = (s) => s): string {
  const who = e.source === 'init' ? c.magenta('init ') : '     ';
  const result = e.ok ? c.green(e.result) : c.red(e.result);
  const line = `${c.dim(e.at.toFixed(2).padStart(8))} ${who}${shorten(e.call)} ${result}  ${c.dim(e.durationMs.toFixed(2) + ' ms')}`;
  return e.hint ? `${line}\n${' '.repeat(14)}${c.yellow('hint: ' + shorten(e.hint))}` : line;
}

export function startCliTrace(opts: { file?: string | undefined; print: boolean }): void {
  if (opts.print) ignoreClosedReader(process.stderr);
  const events: TraceEvent[] = [];
  let phase = '';
  let containerDir: string | null = null;
  const shorten = (s: string) =>
    s.replace(CONTAINER_DIR, (dir) => {
      if (containerDir === null) {
        containerDir = dir;
        process.stderr.write(c.dim(`         $C = ${dir}\n`));
      }
      return dir === containerDir ? '$C' : dir;
    });
  setTracer({
    event(e) {
      events.push(e);
      if (!opts.print) return;
      if (e.phase !== phase) {
        phase = e.phase;
        process.stderr.write(c.bold.cyan(`── ${PHASE_TITLES[e.phase] ?? e.phase}\n`));
      }
      process.stderr.write(formatEvent(e, shorten) + '\n');
    },
  });
  if (opts.file) {
    const file = opts.file;
    // On exit, so a run that fails half-way still leaves its trace behind.
    process.on('exit', () => fs.writeFileSync(file, JSON.stringify({ version: 1, events }, null, 2) + '\n'));
  }
}
