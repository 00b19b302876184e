/**
 * The few things we ask `limactl` directly: where it is, and what
 * `limactl list --json` says about our instance.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';

export interface LimaInstance {
  name: string;
  /** Running, Stopped, Broken… */
  status: string;
  /** aarch64 or x86_64 (uname's names). */
  arch: string;
  /** The instance's directory on the host (~/.lima/NAME). */
  dir: string;
}

/** The absolute path of `cmd` on PATH, or null. Cheaper than spawning `which`. */
export function findOnPath(cmd: string, envPath = process.env.PATH ?? ''): string | null {
  if (cmd.includes('/')) return fs.existsSync(cmd) ? cmd : null;
  for (const dir of envPath.split(path.delimiter)) {
    if (!dir) continue;
    const full = path.join(dir, cmd);
    try {
      fs.accessSync(full, fs.constants.X_OK);
      if (fs.statSync(full).isFile()) return full;
    } catch {
      // not here; keep looking
    }
  }
  return null;
}

/**
 * `limactl list --json` prints one JSON object per line (not an array), one
 * per instance. Lines that are not JSON objects (warnings) are skipped.
 */
export function parseInstanceList(stdout: string): LimaInstance[] {
  const out: LimaInstance[] = [];
  for (const line of stdout.split('\n')) {
    const t = line.trim();
    if (!t.startsWith('{')) continue;
    try {
      const o = JSON.parse(t) as Partial<LimaInstance>;
      if (typeof o.name === 'string') out.push({ name: o.name, status: String(o.status ?? ''), arch: String(o.arch ?? ''), dir: String(o.dir ?? '') });
    } catch {
      // a warning line that happened to start with '{'
    }
  }
  return out;
}

export class LimactlError extends Error {
  override name = 'LimactlError';
}

/**
 * Ask limactl about every instance; throws LimactlError with the command and its stderr tail.
 * All instances, not `list --json NAME`: one answer covers "missing" and "stopped" alike.
 */
export function listInstances(limactl: string): LimaInstance[] {
  const r = spawnSync(limactl, ['list', '--json'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.error) throw new LimactlError(`${limactl} list --json: ${r.error.message}`);
  if (r.status !== 0) {
    const tail = (r.stderr ?? '').trim().split('\n').slice(-2).join(' ');
    throw new LimactlError(`${limactl} list --json failed with exit code ${r.status}${tail ? `: ${tail}` : ''}`);
  }
  return parseInstanceList(r.stdout);
}

export function findInstance(limactl: string, name: string): LimaInstance | null {
  return listInstances(limactl).find((i) => i.name === name) ?? null;
}
