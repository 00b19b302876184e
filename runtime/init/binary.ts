/**
 * Where tiny-init lives, and how it is built when missing.
 *
 * The binary is per architecture (build/linux-amd64/tiny-init) because the
 * same checkout is shared between a Mac and its Lima guest, and between
 * x86_64 and arm64 guests. It must be static (see tiny-init.c).
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

export function initSource(): string {
  return path.join(projectRoot(), 'runtime', 'init', 'tiny-init.c');
}

export function initPath(arch = goArch()): string {
  return process.env.TINY_DOCKER_INIT ?? path.join(projectRoot(), 'runtime', 'init', 'build', `linux-${arch}`, 'tiny-init');
}

/** The compiler command line, shared by `npm run build:init` and the on-demand build. */
export function initBuildArgs(out: string): string[] {
  // -static: the parent pivots the root right after spawn, so no libc.so.6
  // -Os: small; it is loaded once per container
  return ['-static', '-Os', '-Wall', '-Wextra', '-o', out, initSource()];
}

/** True when the binary is missing or older than its source. */
export function initIsStale(out = initPath()): boolean {
  try {
    const bin = fs.statSync(out);
    const src = fs.statSync(initSource());
    return bin.mtimeMs < src.mtimeMs;
  } catch {
    return true;
  }
}

/** Return the init path, building it first if needed (about 0.3 s, once). */
export function ensureInit(): string {
  const out = initPath();
  if (process.env.TINY_DOCKER_INIT) {
    if (!fs.existsSync(out)) throw new TinyDockerError(`TINY_DOCKER_INIT points to ${out}, which does not exist`);
    return out;
  }
  if (!initIsStale(out)) return out;
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const tmp = `${out}.${process.pid}.tmp`;
  try {
    runSync(process.env.CC ?? 'cc', initBuildArgs(tmp));
    fs.renameSync(tmp, out); // atomic: a parallel run never sees half a binary
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw new TinyDockerError(`could not build tiny-init: ${(err as Error).message}`, {
      cause: err,
      hint: 'install a C compiler and static libc (apt-get install gcc libc6-dev), then run npm run build:init',
    });
  }
  return out;
}
