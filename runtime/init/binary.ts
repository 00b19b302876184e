/**
 * Where our two small C programs live, and how they are built when missing:
 *   tiny-init     the container's PID 1 (see tiny-init.c)
 *   tiny-monitor  the process that stays behind a detached container (see tiny-monitor.c)
 *
 * The binaries are per architecture (build/linux-amd64/tiny-init) because the
 * same checkout is shared between a Mac and its Lima guest, and between
 * x86_64 and arm64 guests. They are static (see tiny-init.c for why init must be).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { goArch } from '../sys/numbers.ts';
import { runSync } from '../sys/commands.ts';
import { TinyDockerError } from '../errors.ts';

/** The repository root: the nearest folder up with our package.json. */
export function projectRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg) && fs.readFileSync(pkg, 'utf8').includes('"name": "tiny-docker"')) return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new Error('cannot find the tiny-docker project root');
    dir = up;
  }
}

export type HelperBinary = 'tiny-init' | 'tiny-monitor';

/** $TINY_DOCKER_INIT / $TINY_DOCKER_MONITOR override where a binary is taken from. */
const OVERRIDE: Record<HelperBinary, string> = { 'tiny-init': 'TINY_DOCKER_INIT', 'tiny-monitor': 'TINY_DOCKER_MONITOR' };

export function binarySource(name: HelperBinary): string {
  return path.join(projectRoot(), 'runtime', 'init', `${name}.c`);
}

export function binaryPath(name: HelperBinary, arch = goArch()): string {
  return process.env[OVERRIDE[name]] ?? path.join(projectRoot(), 'runtime', 'init', 'build', `linux-${arch}`, name);
}

/** The compiler command line, shared by `npm run build:init` and the on-demand build. */
export function binaryBuildArgs(name: HelperBinary, out: string): string[] {
  // -static: the parent pivots the root right after spawn, so no libc.so.6
  // -Os: small; it is loaded once per container
  return ['-static', '-Os', '-Wall', '-Wextra', '-o', out, binarySource(name)];
}

/** True when the binary is missing or older than its source. */
export function binaryIsStale(name: HelperBinary, out = binaryPath(name)): boolean {
  try {
    const bin = fs.statSync(out);
    const src = fs.statSync(binarySource(name));
    return bin.mtimeMs < src.mtimeMs;
  } catch {
    return true;
  }
}

/** Return the binary's path, building it first if needed (about 0.3 s, once). */
export function ensureBinary(name: HelperBinary): string {
  const out = binaryPath(name);
  if (process.env[OVERRIDE[name]]) {
    if (!fs.existsSync(out)) throw new TinyDockerError(`${OVERRIDE[name]} points to ${out}, which does not exist`);
    return out;
  }
  if (!binaryIsStale(name, out)) return out;
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const tmp = `${out}.${process.pid}.tmp`;
  try {
    runSync(process.env.CC ?? 'cc', binaryBuildArgs(name, tmp));
    fs.renameSync(tmp, out); // atomic: a parallel run never sees half a binary
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw new TinyDockerError(`could not build ${name}: ${(err as Error).message}`, {
      cause: err,
      hint: 'install a C compiler and static libc (apt-get install gcc libc6-dev), then run npm run build:init',
    });
  }
  return out;
}

// The names the rest of the runtime has always used for tiny-init.
export const initSource = (): string => binarySource('tiny-init');
export const initPath = (arch = goArch()): string => binaryPath('tiny-init', arch);
export const initBuildArgs = (out: string): string[] => binaryBuildArgs('tiny-init', out);
export const initIsStale = (out = initPath()): boolean => binaryIsStale('tiny-init', out);
export const ensureInit = (): string => ensureBinary('tiny-init');
export const ensureMonitor = (): string => ensureBinary('tiny-monitor');
