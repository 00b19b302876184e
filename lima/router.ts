/**
 * The macOS → Lima router. On darwin (or with TINY_DOCKER_ROUTE=lima) every
 * runtime command runs in the Lima VM through `limactl shell`, and the router
 * only carries things across:
 *
 * - stdin/stdout/stderr: inherited, so pipes and the terminal pass straight
 *   through. limactl adds `ssh -t` when stdout is a terminal, which is what
 *   `-it` needs.
 * - the exit code: the guest program's own (137, 127, 125…), unchanged.
 * - signals: SIGTERM/SIGINT/… sent to the router are delivered to the guest
 *   program itself (see forwardSignal), because killing the local ssh alone
 *   leaves a program without a terminal running in the VM.
 */
import * as crypto from 'node:crypto';
import { constants } from 'node:os';
import { spawn } from 'node:child_process';
import { projectRoot } from '../runtime/init/binary.ts';
import { printError } from '../runtime/cli/output.ts';
import { ensureProbe, hostChecks, shq } from './checks.ts';
import { limaConfig, type LimaConfig } from './config.ts';
import { limactlShellArgs, tinyDockerArgv, type GuestPlan } from './guest-command.ts';

/** Commands that run on the host even when routing: they drive Lima itself. */
const HOST_COMMANDS = new Set(['setup']);

export const FORWARDED_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'];

/** The subcommand in a tiny-docker argv (after global options such as --root DIR). */
export function commandOf(argv: string[]): string | null {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--root') i++;
    else if (!a.startsWith('-')) return a;
    else if (a === '--help' || a === '-h' || a === '--version' || a === '-v') return null;
  }
  return null;
}

/** Host checks 1–4, then the plan for running `argv` in the guest. Throws LimaCheckError. */
export function planRoute(cfg: LimaConfig, argv: string[], cwd = process.cwd()): GuestPlan {
  const { ready } = hostChecks(cfg);
  return {
    cfg,
    build: ready!.build,
    argv,
    cwd,
    probeToken: ensureProbe(cfg.projectDir),
    routeToken: crypto.randomBytes(12).toString('hex'),
  };
}

/**
 * Run the plan and resolve with the guest program's exit code. With `capture`,
 * stdout/stderr are collected instead of inherited (setup's hello-world).
 */
export function runPlan(plan: GuestPlan, opts: { capture?: boolean } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const args = limactlShellArgs(plan);
  if (process.env.TINY_DOCKER_DEBUG) process.stderr.write(`tiny-docker: routing: ${[plan.cfg.limactl, ...args].map((a) => shq(a)).join(' ')}\n`);
  return new Promise((resolve, reject) => {
    const child = spawn(plan.cfg.limactl, args, { stdio: opts.capture ? ['ignore', 'pipe', 'pipe'] : 'inherit' });
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const seen = new Set<NodeJS.Signals>();
    const onSignal = (sig: NodeJS.Signals) => {
      // The first of a kind goes to the guest program; a second one (an
      // impatient Ctrl-C) ends the local limactl too.
      if (seen.has(sig)) child.kill(sig);
      else forwardSignal(plan, sig, () => child.kill(sig));
      seen.add(sig);
    };
    for (const s of FORWARDED_SIGNALS) process.on(s, onSignal);
    child.on('error', (err) => {
      for (const s of FORWARDED_SIGNALS) process.off(s, onSignal);
      reject(err);
    });
    child.on('close', (code, signal) => {
      for (const s of FORWARDED_SIGNALS) process.off(s, onSignal);
      // Killed by a signal ourselves: report it the shell's way, 128+N.
      resolve({ code: code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0), stdout, stderr });
    });
  });
}

/**
 * Deliver `sig` to the routed program in the guest. It is found by the random
 * TINY_DOCKER_ROUTE_TOKEN in its environment (one grep over /proc/PID/environ,
 * run as root), so no pid file is left behind and no other process matches.
 * If that fails (VM gone), fall back to signalling the local limactl.
 */
export function forwardSignal(plan: GuestPlan, sig: NodeJS.Signals, fallback: () => void): void {
  const name = sig.replace(/^SIG/, '');
  const script =
    `for f in $(grep -lsxzF ${shq(`TINY_DOCKER_ROUTE_TOKEN=${plan.routeToken}`)} /proc/[0-9]*/environ); do ` +
    `p=\${f#/proc/}; kill -s ${name} "\${p%/environ}"; done`;
  const k = spawn(plan.cfg.limactl, ['shell', plan.cfg.instance, 'sudo', '/bin/sh', '-c', script], { stdio: 'ignore' });
  k.on('error', fallback);
  k.on('close', (code) => {
    if (code !== 0) fallback();
  });
}

/** Route a whole tiny-docker invocation, or return null to run it here. */
export async function routeCli(argv: string[]): Promise<number | null> {
  const name = commandOf(argv);
  if (name === null || HOST_COMMANDS.has(name)) return null;
  const cfg = limaConfig(projectRoot());
  try {
    if (name === 'doctor') {
      const { limaDoctor } = await import('./doctor.ts');
      return await limaDoctor(cfg, argv);
    }
    const plan = planRoute(cfg, tinyDockerArgv(cfg, argv));
    return (await runPlan(plan)).code;
  } catch (err) {
    return printError(err);
  }
}
