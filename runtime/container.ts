/**
 * The container lifecycle: create → start → wait → clean up.
 *
 *   host (Node main thread)                      container
 *   ─────────────────────────────────────────────────────────────────────
 *   validate, claim name, features.prepare
 *   ┌ namespace window ─────────────────────┐
 *   │ unshare(NEWNS|NEWUTS|NEWIPC|NEWNET|NEWPID)
 *   │ mount --make-rprivate /, sethostname   │
 *   │ overlay rootfs, /dev, /sys, /etc files │
 *   │ spawn(tiny-init) ──────────────────────┼──▶ PID 1, blocked on fd 3
 *   │ pivot_root(".", ".")  (moves init too) │
 *   └ setns() back to the host's namespaces ─┘
 *   features.attach (cgroup, veth)
 *   send the init program (= go) ────────────────▶ setsid, mount /proc, caps,
 *                                                 seccomp, execve(command)
 *   fd 3 EOF  ◀────────────────────────────────── (close-on-exec)
 *   wait for exit, features.afterExit, cleanup
 */
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { constants as osConstants } from 'node:os';
import { PassThrough, type Readable, type Writable } from 'node:stream';
import { ExecError, TinyDockerError, wrap } from './errors.ts';
import type { ContainerContext, ExitInfo, Feature, InitStage } from './features.ts';
import { ensureInit } from './init/binary.ts';
import { FLAG_TRACE, encodeProgram, execStep, parseInitLine, type InitStep } from './init/protocol.ts';
import { inNamespaceWindow } from './namespaces.ts';
import { featuresFor } from './feature-registry.ts';
import { writeEtcFiles } from './rootfs/etc.ts';
import { bindFile, createLayoutDirs, layoutFor, makeMountsPrivate, mountRootfs, mountSystemDirs, pivotInto, remountRootReadOnly } from './rootfs/mounts.ts';
import { validateSpec, requireRoot, type ContainerSpec } from './spec.ts';
import { processStartTime, type ContainerState, type Store } from './store.ts';
import { MS } from './sys/flags.ts';
import { sethostname } from './sys/syscalls.ts';
import { emit, setPhase, tracing } from './sys/trace.ts';

export interface StartOptions {
  store: Store;
  /** Defaults to featuresFor(spec): one per entry of spec.features. */
  features?: Feature[];
  /** stdin, stdout, stderr for the container, as for child_process.spawn. */
  stdio?: [StdioOptions extends (infer T)[] ? T : never, unknown, unknown] | ('inherit' | 'ignore' | 'pipe' | number)[];
  /** Detached containers outlive the process that created them. */
  detached?: boolean;
  /**
   * Called after the container's init is placed (cgroups, network) and before
   * the go signal; the container is "created" until it resolves. tiny-runc
   * waits here for `tiny-runc start` (the OCI create/start split).
   */
  beforeGo?: (pid: number) => Promise<void>;
}

export interface ExitStatus extends ExitInfo {
  id: string;
}

const SIGNAL_NUMBERS = osConstants.signals as Record<string, number>;

/** Exit status as a shell reports it: the code, or 128 + the signal number. */
export function exitCodeOf(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  return 128 + (signal ? (SIGNAL_NUMBERS[signal] ?? 0) : 0);
}

export class Container {
  private exited: Promise<ExitStatus>;
  private out: Readable | null;
  private err: Readable | null;
  constructor(
    readonly id: string,
    readonly pid: number,
    readonly child: ChildProcess,
    exited: Promise<ExitStatus>,
    output: { out: Readable | null; err: Readable | null },
  ) {
    this.exited = exited;
    this.out = output.out;
    this.err = output.err;
  }

  get stdin(): Writable | null {
    return this.child.stdin;
  }
  get stdout(): Readable | null {
    return this.out;
  }
  get stderr(): Readable | null {
    return this.err;
  }

  /** Resolves when PID 1 has exited and everything is cleaned up. */
  wait(): Promise<ExitStatus> {
    return this.exited;
  }

  /** Signal PID 1 (the command itself: tiny-init has exec'd it). */
  kill(signal: NodeJS.Signals | number = 'SIGTERM'): boolean {
    try {
      process.kill(this.pid, signal);
      return true;
    } catch {
      return false;
    }
  }
}

function newState(spec: ContainerSpec, detached: boolean): ContainerState {
  return {
    version: 1,
    id: spec.id,
    name: spec.name,
    rootfs: spec.rootfs,
    rootfsMode: spec.rootfsMode,
    command: spec.command,
    hostname: spec.hostname,
    status: 'created',
    pid: null,
    pidStartTime: null,
    exitCode: null,
    oomKilled: false,
    createdAt: new Date().toISOString(),
    startedAt: null,
    finishedAt: null,
    autoRemove: spec.autoRemove,
    detached,
    spec,
    facts: {},
  };
}

/** Create and start a container; resolves once the command is exec'd. */
export async function runContainer(spec: ContainerSpec, opts: StartOptions): Promise<Container> {
  setPhase('validate');
  requireRoot();
  validateSpec(spec);
  const features = opts.features ?? featuresFor(spec);
  const store = opts.store;
  store.create(newState(spec, opts.detached ?? false));
  const dir = store.dir(spec.id);
  const layout = layoutFor(dir, spec.rootfs);
  const ctx: ContainerContext = { spec, dir, rootfsPath: layout.merged, pid: null, facts: {} };
  let child: ChildProcess | null = null;
  let childExit: Promise<[number | null, NodeJS.Signals | null]> | null = null;
  let output: { out: Readable | null; err: Readable | null } = { out: null, err: null };

  try {
    for (const f of features) await f.prepare?.(ctx);
    setPhase('rootfs');
    const init = ensureInit();
    if (spec.rootfsMode === 'overlay') createLayoutDirs(layout);
    else fs.mkdirSync(layout.merged, { recursive: true });
    const etc = writeEtcFiles(dir, spec, ctx.facts);

    // ── the namespace window: synchronous from here to its end ──
    child = inNamespaceWindow(spec.namespaces, () => {
      setPhase('rootfs');
      if (spec.namespaces.mnt) makeMountsPrivate();
      if (spec.namespaces.uts) sethostname(spec.hostname);
      mountRootfs(layout, spec.rootfsMode);
      mountSystemDirs(layout.merged, { sysfs: spec.namespaces.net });
      for (const [target, source] of Object.entries(etc)) bindFile(source, layout.merged, target);
      for (const f of features) f.inWindow?.(ctx);
      // Docker creates a missing working directory rather than failing.
      fs.mkdirSync(path.join(layout.merged, spec.workdir), { recursive: true });
      if (spec.readOnly) remountRootReadOnly(layout.merged);
      setPhase('init');
      const c = spawnInit(init, layout.merged, opts);
      if (spec.isolation === 'pivot_root') {
        setPhase('rootfs');
        pivotInto(layout.merged);
      }
      return c;
    });
    // ── back in the host's namespaces ──

    const pid = child.pid!;
    ctx.pid = pid;
    const c = child;
    // Node resumes (and so discards) a child's unread stdout/stderr when it
    // exits (flushStdio in lib/internal/child_process.js). A fast container
    // can exit before our caller attaches a reader, so hold the output in
    // our own streams from the start, before anything can await.
    output = { out: c.stdout?.pipe(new PassThrough()) ?? null, err: c.stderr?.pipe(new PassThrough()) ?? null };
    childExit = new Promise((resolve) => c.once('exit', (code, signal) => resolve([code, signal])));
    store.update(spec.id, (s) => {
      s.pid = pid;
      s.pidStartTime = processStartTime(pid);
    });

    for (const f of features) {
      setPhase(f.name === 'cgroups' ? 'cgroups' : f.name === 'network' ? 'network' : 'init');
      await f.attach?.(ctx, pid);
    }
    // Persist facts before the go signal, so a crash after this point can still be cleaned up.
    store.update(spec.id, (s) => {
      s.facts = ctx.facts;
    });

    await opts.beforeGo?.(pid);
    setPhase('init');
    const program = buildProgram(ctx, features, layout.merged, opts.detached ?? false);
    await handshake(child, program);
    setPhase('exec');
    store.update(spec.id, (s) => {
      s.status = 'running';
      s.startedAt = new Date().toISOString();
      s.facts = ctx.facts;
    });
  } catch (err) {
    // Undo everything: the container never ran (or its exec failed).
    setPhase('cleanup');
    if (child?.pid && childExit) {
      child.kill('SIGKILL');
      await childExit;
    }
    await cleanupAll(ctx, features, true);
    store.remove(spec.id);
    if (err instanceof TinyDockerError) throw err;
    throw wrap(`could not start container ${spec.name}`, err);
  }

  if (opts.detached) {
    // A detached container is reaped by its tiny-monitor once this process
    // exits (see lifecycle/detach.ts); its afterExit and cleanup run there,
    // from the saved spec and facts. Here we only report an exit that
    // happens while we are still its parent.
    const quick = childExit!.then(([code, signal]): ExitStatus => ({ id: spec.id, exitCode: exitCodeOf(code, signal), signal, oomKilled: false }));
    return new Container(spec.id, ctx.pid!, child, quick, output);
  }

  const exited = (async (): Promise<ExitStatus> => {
    const [code, signal] = await childExit!;
    setPhase('wait');
    const exitCode = exitCodeOf(code, signal);
    const info: ExitInfo = { exitCode, signal, oomKilled: false };
    emit({ call: `wait4(${ctx.pid})`, result: signal ? `= killed by ${signal}` : `= exit ${code}`, durationMs: 0, source: 'runtime', ok: true });
    for (const f of features) await f.afterExit?.(ctx, info).catch(() => undefined);
    setPhase('cleanup');
    await cleanupAll(ctx, features, spec.autoRemove);
    if (spec.autoRemove) store.remove(spec.id);
    else {
      store.update(spec.id, (s) => {
        s.status = 'exited';
        s.exitCode = info.exitCode;
        s.oomKilled = info.oomKilled;
        s.finishedAt = new Date().toISOString();
      });
    }
    return { id: spec.id, ...info };
  })();
  return new Container(spec.id, ctx.pid!, child, exited, output);
}

function spawnInit(init: string, root: string, opts: StartOptions): ChildProcess {
  const [stdin = 'ignore', stdout = 'inherit', stderr = 'inherit'] = (opts.stdio ?? []) as ('inherit' | 'ignore' | 'pipe' | number)[];
  // fd 3 is the sync channel: Node makes a socketpair for 'pipe'.
  // The environment is empty: tiny-init gets the container's env in its program.
  return spawn(init, [], {
    cwd: root,
    argv0: 'tiny-init',
    env: {},
    stdio: [stdin, stdout, stderr, 'pipe'],
    // Not libuv's `detached` (setsid in the child): tiny-init's SETSID step
    // gives PID 1 its own session, and setsid() fails with EPERM for a
    // process that is already a session leader.
  });
}

/** The steps tiny-init runs inside, in order. */
function buildProgram(ctx: ContainerContext, features: Feature[], root: string, detached: boolean): Buffer {
  const { spec } = ctx;
  const stage = (s: InitStage) => features.flatMap((f) => f.initSteps?.(ctx, s) ?? []);
  const steps: InitStep[] = [
    // Own session and process group, as runc's init: `kill 0` inside can never reach the host.
    { op: 'SETSID', args: [] },
    // A foreground container dies with its `tiny-docker run` (SIGKILL = 9).
    { op: 'PDEATHSIG', args: [detached ? '0' : '9'] },
  ];
  // The teaching mode: chroot changes only the caller's root, so init must do it itself.
  if (spec.isolation === 'chroot') steps.push({ op: 'CHROOT', args: [root] });
  steps.push(...stage('early'));
  // procfs shows the PID namespace of whoever mounts it: this must happen inside.
  if (spec.namespaces.pid || spec.namespaces.mnt) {
    steps.push({ op: 'MOUNT', args: ['proc', '/proc', 'proc', String(MS.MS_NOSUID | MS.MS_NOEXEC | MS.MS_NODEV), ''] });
  }
  steps.push(...stage('mounts'));
  steps.push({ op: 'CHDIR', args: [spec.workdir] });
  steps.push(...stage('final'));
  steps.push(execStep(spec.command, spec.env));
  return encodeProgram(steps, tracing() ? FLAG_TRACE : 0);
}

/**
 * Send the program (the go signal) and wait for tiny-init's answer: "X"
 * then EOF means exec succeeded; an "E" line is a failure with Docker's
 * exit code. We cannot look at the exit code instead: a fast command may
 * already have exited (with any code) by the time we see the EOF.
 */
export function handshake(child: ChildProcess, program: Buffer): Promise<void> {
  const sock = child.stdio[3] as unknown as NodeJS.ReadWriteStream & { destroy(): void };
  return new Promise((resolve, reject) => {
    let buf = '';
    let error: ExecError | null = null;
    let reachedExec = false;
    sock.setEncoding('utf8');
    sock.on('data', (chunk: string) => {
      buf += chunk;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        const msg = parseInitLine(line);
        if (msg?.kind === 'exec') reachedExec = true;
        else if (msg?.kind === 'trace') {
          emit({ phase: msg.op === 'EXEC' ? 'exec' : 'init', call: `${msg.op.toLowerCase()} ${msg.detail}`.trim(), result: '= 0', durationMs: msg.micros / 1000, source: 'init', ok: true });
        } else if (msg?.kind === 'error') {
          const code = msg.exitCode === 126 || msg.exitCode === 127 ? msg.exitCode : 125;
          error = new ExecError(msg.message, code);
          emit({ phase: 'init', call: msg.message, result: `= -1 errno ${msg.errno}`, durationMs: 0, source: 'init', ok: false });
        }
      }
    });
    sock.on('error', () => undefined); // EPIPE if init died: reported below
    sock.on('close', () => {
      // EOF after "X" and no error: execve succeeded (fd 3 was close-on-exec).
      if (error) reject(error);
      else if (!reachedExec) reject(new TinyDockerError('tiny-init died before starting the command', { hint: 'run with --trace to see the last step it reached' }));
      else resolve();
    });
    sock.write(program);
  });
}

export async function cleanupAll(ctx: ContainerContext, features: Feature[], removeLayers: boolean): Promise<void> {
  for (const f of [...features].reverse()) {
    try {
      await f.cleanup?.(ctx);
    } catch {
      // Keep cleaning: one failed step must not leak everything after it.
    }
  }
  // The overlay and /dev mounts lived only in the container's mount namespace,
  // which the kernel freed with its last process: only directories remain.
  const rm = (p: string) => fs.promises.rm(p, { recursive: true, force: true, maxRetries: 2 });
  if (removeLayers) await Promise.all(['upper', 'work', 'merged'].map((d) => rm(path.join(ctx.dir, d))));
  else await rm(path.join(ctx.dir, 'work'));
}
