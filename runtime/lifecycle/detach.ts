/**
 * Detached containers (`run -d`): who reaps them once `tiny-docker` exits?
 *
 * A process's exit status goes to its parent. The container's init is
 * spawned by a Node process, and Node is far too heavy (~40 MB) to stay
 * behind for every container. So, as containerd-shim and conmon do, a small
 * C monitor (tiny-monitor.c, a few hundred KiB) stays instead:
 *
 *   run -d ─spawn, setsid─▶ tiny-monitor ─fork+exec─▶ node … __create ID
 *     ▲ fd 3: "ok" / "error …"    │ subreaper              │ runContainer({detached})
 *     └───────────────────────────┼────────────────────────┘ then exits
 *                                 │◀── init reparented (PR_SET_CHILD_SUBREAPER)
 *                                 │ logs stdout/stderr, waitpid(init), exit.json
 *                                 └─fork+exec─▶ node … __cleanup ID (finish.ts)
 *
 * This module holds both ends: startDetached() for `run -d`, and
 * createDetached() for the short-lived `__create` process.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import type { Socket } from 'node:net';
import { runContainer } from '../container.ts';
import { TinyDockerError, type ExitCode } from '../errors.ts';
import { ensureMonitor } from '../init/binary.ts';
import type { ContainerSpec } from '../spec.ts';
import { processStartTime, type Store } from '../store.ts';
import { setCloseOnExec } from '../sys/syscalls.ts';

/** How to run this CLI again (tiny-monitor starts `__create` and `__cleanup` with it). */
export interface CliCommand {
  node: string;
  script: string;
}

/** fds of the `__create` process, set up by tiny-monitor. */
export const REPORT_FD = 3;
export const MONITOR_FD = 4;

// lab:06-lifecycle begin
/** `run -d`: start the monitor, hand it the spec, wait for "ok" or an error. */
export async function startDetached(spec: ContainerSpec, store: Store, cli: CliCommand): Promise<void> {
  const monitor = ensureMonitor();
  store.ensure();
  const child = spawn(monitor, [store.dir(spec.id), cli.node, cli.script, store.root, spec.id], {
    argv0: 'tiny-monitor',
    // fd 0: the spec goes in; fd 3: the report comes back. Nothing else.
    stdio: ['pipe', 'ignore', 'ignore', 'pipe'],
    // setsid(): its own session, so a Ctrl-C or hang-up of our terminal never reaches it.
    detached: true,
  });
  const spawned = new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', reject);
  });
  await spawned;
  child.stdin!.end(JSON.stringify(spec));
  const report = await readAll(child.stdio[3] as Socket);
  child.unref(); // the monitor lives on; we do not wait for it
  const [first = '', ...rest] = report.split('\n');
  if (first === 'ok') return;
  const m = /^error (\d+) (.*)$/.exec(first);
  const hint = rest.find((l) => l.startsWith('hint '))?.slice(5);
  if (m) throw new TinyDockerError(m[2]!, { exitCode: Number(m[1]) as ExitCode, ...(hint ? { hint } : {}) });
  throw new TinyDockerError(`the container monitor exited before starting container ${spec.id.slice(0, 12)}`, {
    hint: 'run it in the foreground (without -d) to see the error',
  });
}

function readAll(sock: Socket): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    sock.setEncoding('utf8');
    sock.on('data', (d: string) => (text += d));
    sock.on('error', () => undefined);
    sock.on('close', () => resolve(text));
  });
}

/**
 * `__create`: runs under tiny-monitor with the spec on stdin, the monitor's
 * pipes as stdout/stderr (they become the container's), the report channel
 * on fd 3 and the monitor's channel on fd 4.
 *
 * Returns the line for the monitor. The caller must write it and exit at
 * once: from then on the monitor reaps the init, and Node must not.
 */
export async function createDetached(store: Store): Promise<string> {
  // Inherited fds are not close-on-exec: without this, spawn() would leak
  // them into the container and `run -d` would wait until it exits.
  setCloseOnExec(REPORT_FD);
  setCloseOnExec(MONITOR_FD);
  const spec = JSON.parse(fs.readFileSync(0, 'utf8')) as ContainerSpec;
  const container = await runContainer(spec, { store, stdio: ['ignore', 1, 2], detached: true });
  const monitorPid = process.ppid;
  store.update(spec.id, (s) => {
    s.monitorPid = monitorPid;
    s.monitorStartTime = processStartTime(monitorPid);
  });
  // If the command already ended, libuv has reaped it for us (it is our
  // child until we exit): pass the status on, or it would be lost.
  const { exitCode, signalCode } = container.child;
  if (exitCode !== null || signalCode !== null) {
    const sig = signalCode ? (await import('node:os')).constants.signals[signalCode] : 0;
    return `exited ${exitCode ?? 128 + sig} ${sig}\n`;
  }
  return `pid ${container.pid}\n`;
}
// lab:06-lifecycle end
