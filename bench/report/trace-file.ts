/** Read a --trace-file JSON (`{ version: 1, events: [...] }`) and check its shape. */
import * as fs from 'node:fs';
import type { TraceEvent } from '../../runtime/sys/trace.ts';

export function readTraceFile(file: string): TraceEvent[] {
  const data = JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;
  const events = Array.isArray(data) ? data : (data as { events?: unknown }).events;
  if (!Array.isArray(events)) throw new Error(`${file}: not a tiny-docker trace (expected { "events": [...] })`);
  for (const [i, e] of events.entries()) {
    const ev = e as Partial<TraceEvent>;
    if (typeof ev.at !== 'number' || typeof ev.durationMs !== 'number' || typeof ev.call !== 'string' || typeof ev.phase !== 'string') {
      throw new Error(`${file}: event ${i} lacks at/durationMs/call/phase`);
    }
  }
  return events as TraceEvent[];
}

/** The container's state directory repeats in every path: show it once as $C. */
export function containerDirOf(events: readonly TraceEvent[]): string | null {
  for (const e of events) {
    const m = /\/[^\s",]*\/containers\/[0-9a-f]{64}/.exec(e.call);
    if (m) return m[0];
  }
  return null;
}

export function shortener(dir: string | null): (s: string) => string {
  return dir ? (s) => s.split(dir).join('$C') : (s) => s;
}
