/**
 * The state store: one directory per container under <root>/containers/<id>/
 * holding state.json (written atomically: write a temp file, then rename, so
 * a reader never sees half a file) plus the container's own files (rootfs
 * layers, /etc files, logs).
 *
 * Creating a container (checking that its name is free and claiming it) runs
 * under an flock(2) on <root>/store.lock. The lock belongs to the open file,
 * so the kernel drops it if the process dies: no stale lock files. Critical
 * sections are synchronous on purpose: two async sections in one process
 * would deadlock on flock.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConfigError, NotFoundError, TinyDockerError } from './errors.ts';
import { NAME_PATTERN, shortId } from './ids.ts';
import { withLockFile } from './sys/lockfile.ts';
import type { ContainerSpec } from './spec.ts';

export type ContainerStatus = 'created' | 'running' | 'exited' | 'dead';

export interface ContainerState {
  version: 1;
  id: string;
  name: string;
  rootfs: string;
  rootfsMode: 'overlay' | 'bind';
  command: string[];
  hostname: string;
  status: ContainerStatus;
  pid: number | null;
  /** Field 22 of /proc/PID/stat: proves a pid still names *our* process. */
  pidStartTime: string | null;
  exitCode: number | null;
  oomKilled: boolean;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  autoRemove: boolean;
  detached: boolean;
  /** The full spec the container was started with: enough to rebuild its features anywhere (e.g. in a monitor). */
  spec: ContainerSpec;
  /** What features recorded while starting it, by feature name (cgroup paths, IP address, …). */
  facts: Record<string, unknown>;
  /** The tiny-monitor behind a detached container (pid + start time, as for pid above). */
  monitorPid?: number | null;
  monitorStartTime?: string | null;
  error?: string;
}

export class Store {
  readonly root: string;
  readonly containersDir: string;

  constructor(root: string) {
    this.root = root;
    this.containersDir = path.join(root, 'containers');
  }

  ensure(): void {
    fs.mkdirSync(this.containersDir, { recursive: true, mode: 0o711 });
  }

  dir(id: string): string {
    if (!/^[0-9a-f]{64}$/.test(id)) throw new ConfigError(`invalid container id ${JSON.stringify(id)}`);
    return path.join(this.containersDir, id);
  }

  /** Run fn while holding the store lock. fn must be synchronous (see above). */
  withLock<T>(fn: () => T): T {
    this.ensure();
    return withLockFile(path.join(this.root, 'store.lock'), fn);
  }

  /** Claim an id and a name atomically; fails if the name is taken. */
  create(state: ContainerState): void {
    this.withLock(() => {
      const taken = this.list().find((s) => s.ok && s.state.name === state.name);
      if (taken && taken.ok) {
        throw new ConfigError(
          `the container name "${state.name}" is already in use by container ${shortId(taken.state.id)}`,
          { hint: `remove it (tiny-docker rm ${state.name}) or choose another --name` },
        );
      }
      // Build the directory under a hidden name and rename it into place, so
      // a concurrent `ps` sees either no container or one with a whole state.json.
      const final = this.dir(state.id);
      const tmp = path.join(this.containersDir, `.${state.id}.creating`);
      fs.mkdirSync(tmp, { mode: 0o711 });
      this.writeIn(tmp, state);
      fs.renameSync(tmp, final);
    });
  }

  write(state: ContainerState): void {
    this.writeIn(this.dir(state.id), state);
  }

  private writeIn(dir: string, state: ContainerState): void {
    const file = path.join(dir, 'state.json');
    const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(state, null, 2) + '\n');
    fs.renameSync(tmp, file); // rename(2) is atomic within one file system
  }

  read(id: string): ContainerState {
    const file = path.join(this.dir(id), 'state.json');
    try {
      return JSON.parse(fs.readFileSync(file, 'utf8')) as ContainerState;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw new NotFoundError(`No such container: ${shortId(id)}`);
      throw new TinyDockerError(`container ${shortId(id)} has a corrupt state file ${file}: ${(err as Error).message}`, {
        hint: `remove it with tiny-docker rm -f ${shortId(id)}`,
      });
    }
  }

  /** Update a container's state under the lock (read-modify-write). */
  update(id: string, change: (s: ContainerState) => void): ContainerState {
    return this.withLock(() => {
      const s = this.read(id);
      change(s);
      this.write(s);
      return s;
    });
  }

  /** Every container, with unreadable entries reported rather than hidden. */
  list(): ({ ok: true; state: ContainerState } | { ok: false; id: string; error: string })[] {
    let ids: string[];
    try {
      ids = fs.readdirSync(this.containersDir).filter((d) => /^[0-9a-f]{64}$/.test(d));
    } catch {
      return [];
    }
    return ids.map((id) => {
      try {
        return { ok: true as const, state: this.read(id) };
      } catch (err) {
        if (err instanceof NotFoundError) return { ok: false as const, id, error: 'no state.json (being created or removed)' };
        return { ok: false as const, id, error: (err as Error).message };
      }
    });
  }

  /** Find by full id, unique id prefix, or name, as Docker does. */
  resolve(ref: string): string {
    if (!ref || (!NAME_PATTERN.test(ref) && !/^[0-9a-f]+$/.test(ref))) {
      throw new NotFoundError(`No such container: ${JSON.stringify(ref)}`, 'list containers with tiny-docker ps -a');
    }
    const entries = this.list();
    const byName = entries.find((e) => e.ok && e.state.name === ref);
    if (byName && byName.ok) return byName.state.id;
    const ids = entries.map((e) => (e.ok ? e.state.id : e.id)).filter((id) => id.startsWith(ref));
    if (ids.length === 1) return ids[0]!;
    if (ids.length > 1) {
      throw new NotFoundError(`ambiguous container id prefix "${ref}" matches ${ids.length} containers`, 'type more characters of the id');
    }
    throw new NotFoundError(`No such container: ${ref}`, 'list containers with tiny-docker ps -a');
  }

  /** Remove a container's directory: renamed away first, so it vanishes from `ps` at once. */
  remove(id: string): void {
    const doomed = path.join(this.containersDir, `.${id}.removing.${process.pid}`);
    try {
      fs.renameSync(this.dir(id), doomed);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return; // already gone
      throw err;
    }
    fs.rmSync(doomed, { recursive: true, force: true, maxRetries: 3 });
  }
}

/** Start time of a process in clock ticks since boot (field 22 of /proc/PID/stat). */
export function processStartTime(pid: number): string | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and ")": split after the last ")".
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return rest[19] ?? null; // field 22 overall = index 19 after pid and comm
  } catch {
    return null;
  }
}

/** The state letter of a process (field 3 of /proc/PID/stat): R, S, D, Z (zombie), … */
export function processStateLetter(pid: number): string | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  } catch {
    return null;
  }
}

/**
 * True when pid is alive and still the process we recorded (not a reused
 * pid). A zombie has exited: it only waits for its parent to collect it.
 */
export function isSameProcess(pid: number | null | undefined, startTime: string | null | undefined): boolean {
  if (!pid || !startTime) return false;
  return processStartTime(pid) === startTime && processStateLetter(pid) !== 'Z';
}
