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
import * as fs from 'node:fs';
import * as path from 'node:path';
import { constants as osConstants } from 'node:os';
import { PassThrough, type Readable, type Writable } from 'node:stream';
import { ExecError, TinyDockerError, wrap } from './errors.ts';
import { errnoDescription, errnoName } from './sys/errno.ts';
import type { ContainerContext, ExitInfo, Feature, InitStage } from './features.ts';
import { ensureInit } from './init/binary.ts';
import { FLAG_TRACE, encodeProgram, execStep, onInitLines, parseInitLine, type InitStep } from './init/protocol.ts';
import { inNamespaceWindow } from './namespaces.ts';
import { featuresFor } from './feature-registry.ts';
import { writeEtcFiles } from './rootfs/etc.ts';
import { bindFile, createLayoutDirs, layoutFor, makeMountsPrivate, mountRootfs, mountSystemDirs, pivotInto, remountRootReadOnly } from './rootfs/mounts.ts';
import { validateSpec, requireRoot, type ContainerSpec } from './spec.ts';
import { processStartTime, type ContainerState, type Store } from './store.ts';
import { MS } from './sys/flags.ts';
import { sethostname } from './sys/syscalls.ts';
import { setLinkUp } from './sys/netdev.ts';
import { posixSpawn, type SpawnedProcess, type StdioEntry } from './sys/spawn.ts';
import { emit, monotonicToTrace, setPhase, traceClock, traced, tracedAsync, tracing } from './sys/trace.ts';
import { describeStep } from './init/describe.ts';
import { runCreateSteps } from './init/created.ts';

export interface StartOptions {
  store: Store;
  /** Defaults to featuresFor(spec): one per entry of spec.features. */
  features?: Feature[];
  /** stdin, stdout, stderr for the container: 'inherit', 'ignore', 'pipe' or an fd, as for child_process.spawn. */
  stdio?: StdioEntry[];
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
  // lab:01-process begin — the code if the process exited, else 128 + the signal's number
  if (code !== null) return code;
  return 128 + (signal ? (SIGNAL_NUMBERS[signal] ?? 0) : 0);
  // lab:01-process end
}

export class Container {
  private exited: Promise<ExitStatus>;
  private out: Readable | null;
  private err: Readable | null;
  constructor(
    readonly id: string,
    readonly pid: number,
    readonly child: SpawnedProcess,
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
  traced(() => `validateSpec(${spec.name}: ${spec.command.join(' ')})`, () => validateSpec(spec), () => '= ok');
  const features = opts.features ?? featuresFor(spec);
  const store = opts.store;
  traced(() => `state: create ${spec.id.slice(0, 12)}/state.json (flock, write, rename)`, () => store.create(newState(spec, opts.detached ?? false)), () => '= ok');
  const dir = store.dir(spec.id);
  const layout = layoutFor(dir, spec.rootfs);
  const ctx: ContainerContext = { spec, dir, rootfsPath: layout.merged, pid: null, facts: {} };
  let child: SpawnedProcess | null = null;
  let childExit: Promise<[number | null, NodeJS.Signals | null]> | null = null;
  let execAt = 0; // trace clock when the command was exec'd (only read when tracing)
  let output: { out: Readable | null; err: Readable | null } = { out: null, err: null };

  try {
    for (const f of features) await f.prepare?.(ctx);
    setPhase('rootfs');
    const init = ensureInit();
    traced(
      () => (spec.rootfsMode === 'overlay' ? 'mkdir upper, work, merged (the overlay layers)' : 'mkdir merged'),
      () => (spec.rootfsMode === 'overlay' ? createLayoutDirs(layout) : void fs.mkdirSync(layout.merged, { recursive: true })),
    );
    const etc = traced(() => 'write etc/hostname, etc/hosts, etc/resolv.conf (bound in later)', () => writeEtcFiles(dir, spec, ctx.facts), () => '= ok');

    // ── the namespace window: synchronous from here to its end ──
    child = inNamespaceWindow(spec.namespaces, () => {
      // Namespaces made elsewhere (e.g. a mount namespace joined by path) are
      // entered before anything else, so every mount below is made in them.
      for (const f of features) f.enterNamespaces?.(ctx);
      setPhase('rootfs');
      if (spec.namespaces.mnt) makeMountsPrivate();
      // lab:02-namespaces begin — name the new UTS namespace (man 2 sethostname)
      if (spec.namespaces.uts) sethostname(spec.hostname);
      // A new network namespace has only lo, and it is down: bring it up here,
      // where this thread is in the container's netns (an ioctl, not `ip`).
      if (spec.namespaces.net) setLinkUp('lo');
      // lab:02-namespaces end
      mountRootfs(layout, spec.rootfsMode);
      mountSystemDirs(layout.merged, { sysfs: spec.namespaces.net });
      for (const [target, source] of Object.entries(etc)) bindFile(source, layout.merged, target);
      for (const f of features) f.inWindow?.(ctx);
      // Docker creates a missing working directory rather than failing.
      fs.mkdirSync(path.join(layout.merged, spec.workdir), { recursive: true });
      if (spec.readOnly) remountRootReadOnly(layout.merged);
      setPhase('init');
      const c = spawnInit(init, layout.merged, opts);
      if (spec.isolation === 'pivot_root' && !ctx.initPivots) {
        setPhase('rootfs');
        pivotInto(layout.merged);
      }
      return c;
    });
    // ── back in the host's namespaces ──

    setPhase('init');
    const pid = child.pid!;
    ctx.pid = pid;
    const c = child;
    // Node resumes (and so discards) a child's unread stdout/stderr when it
    // exits (flushStdio in lib/internal/child_process.js). A fast container
    // can exit before our caller attaches a reader, so hold the output in
    // our own streams from the start, before anything can await.
    output = { out: c.stdout?.pipe(new PassThrough()) ?? null, err: c.stderr?.pipe(new PassThrough()) ?? null };
    childExit = new Promise((resolve) => c.once('exit', (code, signal) => resolve([code, signal])));
    for (const f of features) {
      setPhase(f.name === 'cgroups' ? 'cgroups' : f.name === 'network' ? 'network' : 'init');
      await f.attach?.(ctx, pid);
    }
    // What a "created" container has already done inside (enter its user
    // namespace, …): run now, before the go (init/created.ts).
    const createSteps = features.flatMap((f) => f.createSteps?.(ctx) ?? []);
    if (createSteps.length > 0) await runCreateSteps(c, createSteps);
    // Persist the pid and the facts before the go signal, so a crash after
    // this point can still be cleaned up. (Before it, tiny-init dies with us:
    // its parent-death signal is SIGKILL until the go.) One write, not two:
    // each state write is a file create + rename, about 1 ms on this disk.
    const startsNow = !opts.beforeGo;
    traced(
      () => `state: ${startsNow ? 'running, ' : ''}pid ${pid}, its start time (/proc/${pid}/stat) and the feature facts`,
      () =>
        store.update(spec.id, (s) => {
          // "running" from here when the go follows at once: PID 1 exists, and
          // if its exec fails the container is removed below. With beforeGo
          // (tiny-runc create) it stays "created" until the start.
          if (startsNow) {
            s.status = 'running';
            s.startedAt = new Date().toISOString();
          }
          s.pid = pid;
          s.pidStartTime = processStartTime(pid);
          s.facts = ctx.facts;
        }),
      () => '= ok',
    );
    const savedFacts = JSON.stringify(ctx.facts);

    await opts.beforeGo?.(pid);
    setPhase('init');
    const program = buildProgram(ctx, features, layout.merged, opts.detached ?? false);
    await handshake(child, program);
    execAt = tracing() ? traceClock() : 0;
    setPhase('exec');
    // Features may add facts while building the program; write only then
    // (each state write is a create + rename, about 1 ms on a disk).
    if (!startsNow || JSON.stringify(ctx.facts) !== savedFacts) {
      traced(
        () => 'state: status running (and facts added since the go signal)',
        () =>
          store.update(spec.id, (s) => {
            s.status = 'running';
            s.startedAt ??= new Date().toISOString();
            s.facts = ctx.facts;
          }),
        () => '= ok',
      );
    }
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
    // The bar spans the command's life: from its exec to libuv's exit event (SIGCHLD → waitpid).
    if (tracing()) emit({ call: `waitpid(${ctx.pid})  (the command ran until here)`, result: signal ? `= killed by ${signal}` : `= exit ${code}`, durationMs: traceClock() - execAt, at: execAt, source: 'runtime', ok: true });
    for (const f of features) await f.afterExit?.(ctx, info).catch(() => undefined);
    setPhase('cleanup');
    await cleanupAll(ctx, features, spec.autoRemove);
    if (spec.autoRemove) traced(() => `rm -rf ${dir}  (--rm: layers, /etc files and state, after one rename)`, () => store.remove(spec.id), () => '= ok');
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

function spawnInit(init: string, root: string, opts: StartOptions): SpawnedProcess {
  // lab:01-process begin — spawn(init) with the container's stdio and fd 3 as the sync channel
  const [stdin = 'ignore', stdout = 'inherit', stderr = 'inherit'] = opts.stdio ?? [];
  // fd 3 is the sync channel: 'pipe' at fd 3 makes a socketpair.
  // The environment is empty: tiny-init gets the container's env in its program.
  // posix_spawn (vfork + exec, runtime/sys/spawn.ts) rather than libuv's fork
  // of the whole Node process: 0.2 ms instead of 1.5–3 ms (DESIGN.md §2).
  // No setsid here: tiny-init's SETSID step gives PID 1 its own session, and
  // setsid() fails with EPERM for a process that is already a session leader.
  return traced(
    () => `posix_spawn(${JSON.stringify(init)}, cwd=${JSON.stringify(root)}, fd 3 = socketpair)  (vfork + exec of tiny-init)`,
    () => posixSpawn(init, { argv0: 'tiny-init', cwd: root, env: [], stdio: [stdin, stdout, stderr, 'pipe'] }),
    (c) => `= pid ${c.pid}`,
  );
  // lab:01-process end
}

/** The steps tiny-init runs inside, in order. */
function buildProgram(ctx: ContainerContext, features: Feature[], root: string, detached: boolean): InitProgram {
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
  // (With ctx.initPivots, a feature's createSteps mounted it before the pivot.)
  if (!ctx.initPivots && (spec.namespaces.pid || spec.namespaces.mnt)) {
    steps.push({ op: 'MOUNT', args: ['proc', '/proc', 'proc', String(MS.MS_NOSUID | MS.MS_NOEXEC | MS.MS_NODEV), ''] });
  }
  steps.push(...stage('mounts'));
  steps.push({ op: 'CHDIR', args: [spec.workdir] });
  steps.push(...stage('final'));
  steps.push(execStep(spec.command, spec.env));
  return { steps, bytes: encodeProgram(steps, tracing() ? FLAG_TRACE : 0) };
}

export interface InitProgram {
  steps: InitStep[];
  bytes: Buffer;
}

/**
 * Send the program (the go signal) and wait for tiny-init's answer: "X"
 * then EOF means exec succeeded; an "E" line is a failure with Docker's
 * exit code. We cannot look at the exit code instead: a fast command may
 * already have exited (with any code) by the time we see the EOF.
 */
export function handshake(child: { readonly stdio: readonly unknown[] }, given: InitProgram | Buffer): Promise<void> {
  // A bare Buffer (e.g. from exec) still works; its trace lines then name ops, not calls.
  const program: InitProgram = Buffer.isBuffer(given) ? { steps: [], bytes: given } : given;
  const sock = child.stdio[3] as unknown as NodeJS.ReadWriteStream & { destroy(): void };
  return new Promise((resolve, reject) => {
    let error: ExecError | null = null;
    // Tracing: tiny-init sends its clock once, then one line per finished step, in program order.
    let stepAt = 0;
    let stepIndex = 0;
    let reachedExec = false;
    onInitLines(sock, (line) => {
      const msg = parseInitLine(line);
      if (msg?.kind === 'exec') reachedExec = true;
      else if (msg?.kind === 'clock') {
        stepAt = monotonicToTrace(msg.monotonicMicros);
      } else if (msg?.kind === 'trace') {
        const step = program.steps[stepIndex++];
        const call = step && step.op === msg.op ? describeStep(step) : `${msg.op.toLowerCase()} ${msg.detail}`.trim();
        const durationMs = msg.micros / 1000;
        // exec is reported just before it is tried: on success it never returns (fd 3 closes).
        const result = msg.op === 'EXEC' ? '= (no return: fd 3 closes on success)' : '= 0';
        emit({ phase: msg.op === 'EXEC' ? 'exec' : 'init', at: stepAt, call, result, durationMs, source: 'init', ok: true });
        stepAt += durationMs;
      } else if (msg?.kind === 'error') {
        const code = msg.exitCode === 126 || msg.exitCode === 127 ? msg.exitCode : 125;
        error = new ExecError(msg.message, code);
        // The failing step sent no T line, except exec, which reports before it tries.
        const step = program.steps[Math.min(stepIndex, program.steps.length - 1)];
        if (tracing()) {
          const why = errnoDescription(msg.errno);
          const hint = msg.message.includes(why) ? msg.message : `${msg.message} (${why})`;
          emit({ phase: step?.op === 'EXEC' ? 'exec' : 'init', at: stepAt, call: step ? describeStep(step) : msg.message, result: `= -1 ${errnoName(msg.errno)}`, durationMs: 0, source: 'init', ok: false, hint });
        }
      }
    });
    sock.on('error', () => undefined); // EPIPE if init died: reported below
    let goAt = 0;
    if (tracing()) {
      sock.once('end', () => {
        if (!error) emit({ phase: 'exec', at: goAt, call: 'read(fd 3) until EOF  (from the go signal to the close-on-exec of fd 3)', result: '= 0 (EOF: the command runs)', durationMs: traceClock() - goAt, source: 'runtime', ok: true });
      });
    }
    sock.on('close', () => {
      // EOF after "X" and no error: execve succeeded (fd 3 was close-on-exec).
      if (error) reject(error);
      else if (!reachedExec) reject(new TinyDockerError('tiny-init died before starting the command', { hint: 'run with --trace to see the last step it reached' }));
      else resolve();
    });
    // The go signal: tiny-init has been blocked in read(fd 3) since its exec.
    traced(
      () => `write(fd 3, program of ${program.steps.length} steps, ${program.bytes.length} bytes)  (the go signal)`,
      () => sock.write(program.bytes),
      () => '= ok',
    );
    if (tracing()) goAt = traceClock();
  });
}

export async function cleanupAll(ctx: ContainerContext, features: Feature[], removeAll: boolean): Promise<void> {
  for (const f of [...features].reverse()) {
    try {
      await f.cleanup?.(ctx);
    } catch {
      // Keep cleaning: one failed step must not leak everything after it.
    }
  }
  // The overlay and /dev mounts lived only in the container's mount namespace,
  // which the kernel freed with its last process: only directories remain.
  // With removeAll the caller deletes the whole container directory next
  // (store.remove: one rename, one recursive delete), layers included; that
  // is about twice as fast as deleting upper, work and merged on their own.
  // Otherwise the writable layer stays, as Docker keeps it until `rm`, and
  // only overlayfs's scratch directory goes.
  if (!removeAll) await tracedAsync(() => `rm -rf ${path.join(ctx.dir, 'work')}`, () => fs.promises.rm(path.join(ctx.dir, 'work'), { recursive: true, force: true, maxRetries: 2 }));
}
