/**
 * Reading a detached container's log. tiny-monitor writes one line per
 * output line, with one write(2) on an O_APPEND file, so a reader sees
 * whole lines only:
 *
 *   2026-12-03T16:43:06.814812404Z stdout Thu Dec  3 16:43:06 UTC 2026
 *
 * The file is opened once and read by offset: it stays readable even after
 * `--rm` unlinks it, so `logs -f` of such a container sees its last line.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Store } from '../store.ts';
import { observe } from './status.ts';

export interface LogEntry {
  /** RFC 3339 with nanoseconds, UTC. */
  time: string;
  stream: 'stdout' | 'stderr';
  text: string;
}

export function parseLogLine(line: string): LogEntry | null {
  const m = /^(\S+) (stdout|stderr) (.*)$/s.exec(line);
  return m ? { time: m[1]!, stream: m[2] as LogEntry['stream'], text: m[3]! } : null;
}

export interface LogOptions {
  follow: boolean;
  /** Only the last N lines of what is there now (then everything new). */
  tail?: number;
  pollMs?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** True once the container has exited and its monitor has written every line. */
function finished(store: Store, id: string): boolean {
  let state;
  try {
    state = store.read(id);
  } catch {
    return true; // removed
  }
  const o = observe(store, state);
  if (o.running) return false;
  // The monitor drains the pipes before it writes exit.json, so after that nothing new comes.
  return o.status !== 'created' || !o.monitorAlive;
}

// lab:06-lifecycle begin
export async function* readLog(store: Store, id: string, opts: LogOptions): AsyncGenerator<LogEntry> {
  const file = path.join(store.dir(id), 'container.log');
  let fd: number | null = null;
  let pos = 0;
  let rest = '';
  let first = true;
  const buf = Buffer.alloc(65536);
  for (;;) {
    // Decide *before* reading whether this is the last round, so no line written in between is lost.
    const done = !opts.follow || finished(store, id);
    if (fd === null) {
      try {
        fd = fs.openSync(file, 'r');
      } catch {
        // no log (yet): a foreground container, or the monitor has not opened it
      }
    }
    const lines: string[] = [];
    if (fd !== null) {
      let n: number;
      while ((n = fs.readSync(fd, buf, 0, buf.length, pos)) > 0) {
        pos += n;
        rest += buf.toString('utf8', 0, n);
        const cut = rest.lastIndexOf('\n');
        if (cut >= 0) {
          lines.push(...rest.slice(0, cut).split('\n'));
          rest = rest.slice(cut + 1);
        }
      }
    }
    const shown = first && opts.tail !== undefined ? lines.slice(Math.max(0, lines.length - opts.tail)) : lines;
    if (fd !== null) first = false;
    for (const line of shown) {
      const entry = parseLogLine(line);
      if (entry) yield entry;
    }
    if (done) break;
    await sleep(opts.pollMs ?? 100);
  }
  if (fd !== null) fs.closeSync(fd);
}
// lab:06-lifecycle end
