/**
 * Signals and waiting: kill, stop (SIGTERM, grace period, SIGKILL) and wait.
 *
 * A recorded pid may have been reused by a stranger since we wrote it. So we
 * open a pidfd first (pidfd_open pins *that* process), check that its start
 * time still matches the record, and signal through the pidfd: the check
 * and the kill can no longer be about two different processes.
 */
import * as fs from 'node:fs';
import { constants as osConstants } from 'node:os';
import { ConfigError, StateError } from '../errors.ts';
import { shortId } from '../ids.ts';
import { isSameProcess, type Store } from '../store.ts';
import { pidfdOpen, pidfdSendSignal } from '../sys/syscalls.ts';
import { finishContainer } from './finish.ts';
import { observe, type Observed } from './status.ts';

const SIGNALS = osConstants.signals as Record<string, number>;

/** "KILL", "SIGKILL", "kill" or "9" → 9. */
export function parseSignal(text: string): number {
  const t = text.trim().toUpperCase();
  if (/^\d+$/.test(t)) {
    const n = Number(t);
    if (n >= 1 && n <= 64) return n;
  } else {
    const n = SIGNALS[t.startsWith('SIG') ? t : `SIG${t}`];
    if (n !== undefined) return n;
  }
  throw new ConfigError(`invalid signal ${JSON.stringify(text)}`, { hint: 'use a name like TERM, KILL, HUP or a number like 9' });
}

/** Docker's `stop -t`: whole seconds, 0 or more. */
export function parseGracePeriod(text: string): number {
  if (!/^\d+$/.test(text.trim())) {
    throw new ConfigError(`invalid stop timeout ${JSON.stringify(text)}: expected a whole number of seconds, 0 or more`, { hint: 'e.g. tiny-docker stop -t 5 ID' });
  }
  return Number(text);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// lab:06-lifecycle begin
/** Send a signal to a running container's PID 1; false if it is not running. */
export function signalContainer(store: Store, id: string, signal: number): boolean {
  const state = store.read(id);
  if (!state.pid) return false;
  let pidfd: number;
  try {
    pidfd = pidfdOpen(state.pid);
  } catch {
    return false; // it exited just now
  }
  try {
    // The pidfd pins the process; only now is checking that it is ours final.
    if (!isSameProcess(state.pid, state.pidStartTime)) return false;
    pidfdSendSignal(pidfd, signal);
    return true;
  } catch {
    return false;
  } finally {
    fs.closeSync(pidfd);
  }
}

/**
 * Wait until the container's PID 1 has exited and its exit is recorded.
 * The monitor records it; if the monitor is gone (killed), we finish the
 * job ourselves so the container is reported and can be removed.
 * Returns null when the container was removed meanwhile (--rm).
 */
export async function waitForExit(store: Store, id: string, pollMs = 50): Promise<Observed | null> {
  for (;;) {
    let state;
    try {
      state = store.read(id);
    } catch {
      return null; // removed (--rm) while we waited
    }
    const o = observe(store, state);
    if (o.status === 'created') return o; // never started: nothing to wait for
    if (!o.running) {
      if (state.status === 'exited' || state.status === 'dead') return o; // recorded
      if (!o.monitorAlive) {
        // Nobody else will record this exit (the monitor was killed).
        await finishContainer(store, state, false);
        continue;
      }
    }
    await sleep(pollMs);
  }
}

/** SIGTERM, then SIGKILL after `graceSeconds`, as `docker stop` does. */
export async function stopContainer(store: Store, id: string, graceSeconds: number): Promise<Observed | null> {
  if (signalContainer(store, id, SIGNALS.SIGTERM!)) {
    const deadline = Date.now() + graceSeconds * 1000;
    while (Date.now() < deadline && observe(store, store.read(id)).running) await sleep(50);
    // A PID 1 without a SIGTERM handler ignores SIGTERM: the kernel protects it. SIGKILL cannot be ignored.
    if (observe(store, store.read(id)).running) signalContainer(store, id, SIGNALS.SIGKILL!);
  }
  return waitForExit(store, id);
}
// lab:06-lifecycle end

export function requireRunning(store: Store, id: string): void {
  const o = observe(store, store.read(id));
  if (!o.running) throw new StateError(`container ${shortId(id)} is not running (${o.status})`, 'start a new one with tiny-docker run -d');
}
