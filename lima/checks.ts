/**
 * The prerequisite checks before a command can run in Lima, in the order a
 * newcomer meets the problems:
 *
 *   1. limactl is installed            (host)
 *   2. the instance exists             (host: limactl list --json)
 *   3. the instance is running         (host: same answer)
 *   4. the Linux build for its arch    (host: tiny-init on the shared path;
 *                                       guest: koffi for that arch)
 *   5. the project is reachable inside (guest: read the host's probe file)
 *
 * Each failure is ONE line that says what to do, and exit code 125 (a
 * runtime error, as Docker uses). Checks 1–4 cost no VM round trip; the guest
 * halves of 4 and 5 are shell fragments that run at the front of the routed
 * command itself, so a healthy run pays for exactly one `limactl shell`.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TinyDockerError } from '../runtime/errors.ts';
import { archBuild, guestArch, nodeArch, probePath, type ArchBuild, type GuestArch, type LimaConfig } from './config.ts';
import { findOnPath, listInstances, type LimaInstance } from './limactl.ts';

export type CheckId = 'limactl' | 'instance' | 'running' | 'build' | 'shared';

export interface LimaCheck {
  id: CheckId;
  name: string;
  ok: boolean;
  /** What we found (passing) or the one-line problem and fix (failing). */
  detail: string;
}

/** A failed prerequisite: one actionable line, exit 125. */
export class LimaCheckError extends TinyDockerError {
  override name = 'LimaCheckError';
  constructor(readonly check: CheckId, message: string) {
    super(message, { exitCode: 125 });
  }
}

export const MESSAGES = {
  limactl: () => 'limactl is not installed (not found on PATH): install Lima with `brew install lima`, then run `tiny-docker setup lima`',
  instance: (name: string) => `the Lima instance "${name}" does not exist: run \`tiny-docker setup lima\` to create it`,
  running: (name: string, status: string) => `the Lima instance "${name}" is ${status || 'not running'}: start it with \`limactl start ${name}\``,
  arch: (name: string, arch: string) => `the Lima instance "${name}" reports arch "${arch}": tiny-docker runs on aarch64 and x86_64 guests only`,
  init: (arch: GuestArch, rel: string) => `the Linux build for linux-${arch} is missing or older than its source (${rel}): build it in the guest with \`tiny-docker setup lima\``,
  koffi: (arch: GuestArch, nodeMods: string) => `the Linux build for linux-${arch} is missing in the guest (no koffi-linux-${nodeArch(arch)} under ${nodeMods}): install it with \`tiny-docker setup lima\``,
  shared: (dir: string, name: string) => `${dir} is not reachable inside the Lima instance "${name}" at the same path: share it writable with \`tiny-docker setup lima\` (or add it under mounts: with writable: true in \`limactl edit ${name}\`)`,
  readOnly: (dir: string, name: string) => `${dir} is shared read-only into the Lima instance "${name}": set writable: true for it in \`limactl edit ${name}\`, then \`limactl start ${name}\``,
};

/** What the host-side checks learned, for the router to use. */
export interface HostReady {
  instance: LimaInstance;
  arch: GuestArch;
  build: ArchBuild;
}

/**
 * Run checks 1–4 (host side). With `all`, keep going after a failure so
 * `doctor` can print every line; the router stops at the first.
 */
export function hostChecks(cfg: LimaConfig, all = false): { checks: LimaCheck[]; ready: HostReady | null } {
  const checks: LimaCheck[] = [];
  const fail = (id: CheckId, name: string, detail: string) => {
    checks.push({ id, name, ok: false, detail });
    if (!all) throw new LimaCheckError(id, detail);
  };
  const found = findOnPath(cfg.limactl);
  if (!found) {
    fail('limactl', 'limactl installed', MESSAGES.limactl());
    return { checks, ready: null };
  }
  checks.push({ id: 'limactl', name: 'limactl installed', ok: true, detail: found });

  let instances: LimaInstance[];
  try {
    instances = listInstances(found);
  } catch (err) {
    // limactl is there but broken: not one of the five, but still one line and 125
    throw new TinyDockerError(`${(err as Error).message}: try \`limactl list\` by hand`, { cause: err });
  }
  const instance = instances.find((i) => i.name === cfg.instance) ?? null;
  if (!instance) {
    fail('instance', 'Lima instance exists', MESSAGES.instance(cfg.instance));
    return { checks, ready: null };
  }
  checks.push({ id: 'instance', name: 'Lima instance exists', ok: true, detail: `${instance.name} (${instance.dir})` });

  if (instance.status !== 'Running') fail('running', 'instance running', MESSAGES.running(instance.name, instance.status));
  else checks.push({ id: 'running', name: 'instance running', ok: true, detail: `Running, ${instance.arch}` });

  const arch = guestArch(instance.arch);
  if (!arch) {
    fail('build', 'Linux build for the guest arch', MESSAGES.arch(instance.name, instance.arch));
    return { checks, ready: null };
  }
  const build = archBuild(cfg, arch);
  if (!initUpToDate(build.init, cfg.projectDir)) {
    fail('build', `Linux build (linux-${arch})`, MESSAGES.init(arch, path.relative(cfg.projectDir, build.init)));
  } else {
    checks.push({ id: 'build', name: `Linux build (linux-${arch})`, ok: true, detail: path.relative(cfg.projectDir, build.init) });
  }
  const ok = checks.every((c) => c.ok);
  return { checks, ready: ok ? { instance, arch, build } : null };
}

/** tiny-init exists and is newer than its source (else it must be rebuilt in the guest). */
function initUpToDate(bin: string, projectDir: string): boolean {
  try {
    return fs.statSync(bin).mtimeMs >= fs.statSync(path.join(projectDir, 'runtime', 'init', 'tiny-init.c')).mtimeMs;
  } catch {
    return false;
  }
}

/** The probe's token, created once per checkout (a random value a different directory cannot have). */
export function ensureProbe(projectDir: string): string {
  const file = probePath(projectDir);
  try {
    const token = fs.readFileSync(file, 'utf8').trim();
    if (/^[0-9a-f]{32}$/.test(token)) return token;
  } catch {
    // first use: create it below
  }
  const token = crypto.randomBytes(16).toString('hex');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(`${file}.tmp`, `${token}\n`);
  fs.renameSync(`${file}.tmp`, file);
  return token;
}

/** Single-quote for sh: 'it'\''s'. */
export function shq(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

const failWith = (msg: string) => `{ echo ${shq(`tiny-docker: ${msg}`)} >&2; exit 125; }`;

/**
 * Guest half of check 5: the probe file must read back the token the host
 * wrote (passed as $TINY_DOCKER_PROBE), and the directory must be writable
 * (test -w is access(2), which says EROFS on a read-only mount even for root).
 * `read` is a shell builtin: no extra process.
 */
export function sharedCheckScript(cfg: LimaConfig): string {
  const probe = shq(probePath(cfg.projectDir));
  return [
    `{ read -r tdk_probe < ${probe}; } 2>/dev/null; [ "$tdk_probe" = "$TINY_DOCKER_PROBE" ] || ${failWith(MESSAGES.shared(cfg.projectDir, cfg.instance))}`,
    `[ -w ${shq(path.dirname(probePath(cfg.projectDir)))} ] || ${failWith(MESSAGES.readOnly(cfg.projectDir, cfg.instance))}`,
  ].join('\n');
}

/**
 * Guest half of check 4: the node_modules the guest sees at <project>/node_modules
 * must hold koffi for the guest's arch. On a Mac it holds the darwin build, so
 * the guest-local Linux install (made by `setup lima`) is bind-mounted over it;
 * a mount does not survive a VM restart, so it is re-made here when missing.
 */
export function buildCheckScript(cfg: LimaConfig, build: ArchBuild): string {
  const nm = shq(path.join(cfg.projectDir, 'node_modules'));
  const guestKoffi = shq(path.join(build.guestNodeModules, '@koromix', path.basename(build.koffi)));
  return (
    `[ -e ${shq(build.koffi)} ] || ` +
    `{ [ -e ${guestKoffi} ] && mkdir -p ${nm} && mount --bind ${shq(build.guestNodeModules)} ${nm}; } || ` +
    failWith(MESSAGES.koffi(build.arch, path.join(cfg.projectDir, 'node_modules')))
  );
}
