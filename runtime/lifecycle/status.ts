/**
 * What a container's state *really* is right now. state.json records what
 * the runtime last wrote; the kernel knows the truth. A recorded pid is
 * trusted only while /proc/PID/stat shows the same start time (pids are
 * reused), so a CLI that crashed, a killed monitor or a reboot never makes
 * `ps` lie or `kill` hit a stranger.
 *
 *   recorded     pid alive?   exit.json?   →  shown as
 *   running      yes                          running
 *   running      no           yes             exited (code from exit.json)
 *   running      no           no              dead   (nobody saw it exit)
 *   created      (any)                        created (until the go signal)
 *   exited                                    exited
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isSameProcess, type ContainerState, type ContainerStatus, type Store } from '../store.ts';

/** What tiny-monitor wrote when it reaped the container's init. */
export interface ExitRecord {
  exitCode: number;
  /** The signal that killed it, 0 if it exited. */
  signal: number;
  finishedAtMs: number;
}

export function readExitRecord(dir: string): ExitRecord | null {
  try {
    const r = JSON.parse(fs.readFileSync(path.join(dir, 'exit.json'), 'utf8')) as ExitRecord;
    return r.exitCode >= 0 ? r : null;
  } catch {
    return null;
  }
}

export interface Observed {
  state: ContainerState;
  status: ContainerStatus;
  running: boolean;
  exitCode: number | null;
  finishedAt: string | null;
  /** The monitor is still alive (it will record the exit and clean up). */
  monitorAlive: boolean;
}

// lab:06-lifecycle begin
export function observe(store: Store, state: ContainerState): Observed {
  const monitorAlive = isSameProcess(state.monitorPid, state.monitorStartTime);
  const base = { state, monitorAlive, exitCode: state.exitCode, finishedAt: state.finishedAt };
  if (state.status === 'exited' || state.status === 'dead') return { ...base, status: state.status, running: false };
  if (state.pid === null) return { ...base, status: 'created', running: false };
  if (isSameProcess(state.pid, state.pidStartTime)) {
    // Spawned but not yet given the go (or still exec'ing): not running yet.
    if (state.status === 'created') return { ...base, status: 'created', running: false };
    return { ...base, status: 'running', running: true };
  }
  const exit = readExitRecord(store.dir(state.id));
  if (exit) return { ...base, status: 'exited', running: false, exitCode: exit.exitCode, finishedAt: new Date(exit.finishedAtMs).toISOString() };
  return { ...base, status: 'dead', running: false };
}
// lab:06-lifecycle end
