/**
 * exec: run another process inside a running container, in *all* of its
 * namespaces and cgroups, with the same security settings as its PID 1.
 *
 * Two namespaces cannot be joined by tiny-init itself:
 *   - pid: setns(CLONE_NEWPID) only decides where the caller's *children*
 *     go. So our main thread joins it (pid_for_children) around spawn(),
 *     and tiny-init is born inside, as the container's next pid.
 *   - mnt: joining it changes the root and cwd, after which /proc/PID/ns/*
 *     of the host's /proc can no longer be opened. So it is the *last* SETNS.
 *
 *   main thread: setns(pid) → spawn(tiny-init) → setns(back)
 *   cgroup.procs ← tiny-init's pid                     (joinCgroupsOf)
 *   tiny-init:   setsid, [TIOCSCTTY], setns cgroup, ipc, uts, net, mnt,
 *                chdir, caps/no_new_privs/seccomp (features' "final"), execve
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { exitCodeOf, handshake } from '../container.ts';
import { StateError } from '../errors.ts';
import { featuresFor } from '../feature-registry.ts';
import { shortId } from '../ids.ts';
import { ensureInit } from '../init/binary.ts';
import { encodeProgram, execStep, FLAG_TRACE, type InitStep } from '../init/protocol.ts';
import { inNamespacesOf, NS_FLAG, type NamespaceKind } from '../namespaces.ts';
import type { Store } from '../store.ts';
import { tracing } from '../sys/trace.ts';
import { contextFor } from './finish.ts';
import { joinCgroupsOf } from './join-cgroups.ts';
import { observe } from './status.ts';

export interface ExecOptions {
  command: string[];
  /** Extra KEY=VALUE entries; they override the container's own. */
  env: string[];
  workdir?: string;
  /** fd 0 is a terminal: make it the controlling terminal (after setsid). */
  tty: boolean;
  stdio: ('inherit' | 'ignore' | 'pipe' | number)[];
}

export interface ExecProcess {
  pid: number;
  child: ChildProcess;
  /** Resolves with the exit code (128+N when killed by signal N). */
  wait(): Promise<number>;
}

/** The order matters: mnt last (see above). */
const JOIN_ORDER: NamespaceKind[] = ['cgroup', 'ipc', 'uts', 'net', 'mnt'];

function mergeEnv(base: readonly string[], extra: readonly string[]): string[] {
  const env = new Map(base.map((e) => [e.slice(0, e.indexOf('=')), e] as const));
  for (const e of extra) {
    const eq = e.indexOf('=');
    if (eq === -1) {
      const v = process.env[e];
      if (v !== undefined) env.set(e, `${e}=${v}`);
    } else env.set(e.slice(0, eq), e);
  }
  return [...env.values()];
}

// lab:06-lifecycle begin
export async function execInContainer(store: Store, id: string, opts: ExecOptions): Promise<ExecProcess> {
  const o = observe(store, store.read(id));
  if (!o.running) throw new StateError(`container ${shortId(id)} is not running (${o.status})`, 'exec needs a running container: see tiny-docker ps');
  const { state } = o;
  const target = state.pid!;
  const ctx = contextFor(store, state);
  const features = featuresFor(state.spec);

  const steps: InitStep[] = [{ op: 'SETSID', args: [] }];
  if (opts.tty) steps.push({ op: 'SETCTTY', args: [] });
  for (const kind of JOIN_ORDER) steps.push({ op: 'SETNS', args: [`/proc/${target}/ns/${kind}`, String(NS_FLAG[kind])] });
  // The teaching mode never pivoted: the container's root is a chroot inside its mount namespace.
  if (state.spec.isolation === 'chroot') steps.push({ op: 'CHROOT', args: [ctx.rootfsPath] });
  steps.push({ op: 'CHDIR', args: [opts.workdir ?? state.spec.workdir] });
  // The same capabilities, no_new_privs, user and seccomp filter as PID 1.
  steps.push(...features.flatMap((f) => f.initSteps?.(ctx, 'final') ?? []));
  steps.push(execStep(opts.command, mergeEnv(state.spec.env, opts.env)));

  const init = ensureInit();
  // Born in the container's PID namespace: setns(pid) affects our children only.
  const child = inNamespacesOf(target, ['pid'], () =>
    spawn(init, [], { argv0: 'tiny-init', env: {}, stdio: [...opts.stdio.slice(0, 3), 'pipe'] as ('inherit' | 'ignore' | 'pipe' | number)[] }),
  );
  const exited = new Promise<number>((resolve) => child.once('exit', (code, signal) => resolve(exitCodeOf(code, signal))));
  try {
    joinCgroupsOf(target, child.pid!);
    await handshake(child, encodeProgram(steps, tracing() ? FLAG_TRACE : 0));
  } catch (err) {
    child.kill('SIGKILL');
    await exited;
    throw err;
  }
  return { pid: child.pid!, child, wait: () => exited };
}
// lab:06-lifecycle end
