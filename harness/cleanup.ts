/**
 * Removing what a lab run (or a student's broken code) left behind, by our
 * own prefixes, so one run's leak cannot fail the next.
 *
 *   scope 'own' (default; safe on a shared machine): only what this run made —
 *     processes recorded in the private state root, mounts under it, the state
 *     root itself, cgroups and veths named after its container ids, and the
 *     grader's own cgroup subtree.
 *   scope 'all' (a throwaway grading VM): additionally every empty cgroup under
 *     tiny-docker/, every link named tdk*, and the iptables chains TINY-DOCKER*.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { cgroupMounts } from '../runtime/cgroups/detect.ts';
import { processStartTime } from '../runtime/store.ts';
import { mountsUnder } from '../runtime/rootfs/mounts.ts';

export type CleanScope = 'own' | 'all';

export interface Leftovers {
  processes: number;
  mounts: number;
  cgroups: number;
  links: number;
  iptables: number;
}

/** State roots under root: itself, and the per-check roots a lab run made inside it (tdk-lab-*). */
function stateRoots(root: string): string[] {
  let nested: string[] = [];
  try {
    nested = fs.readdirSync(root).filter((d) => d.startsWith('tdk-lab-')).map((d) => path.join(root, d));
  } catch {
    // no root
  }
  return [root, ...nested];
}

/** Container ids recorded under a state root (and the per-check roots inside it). */
export function containerIds(root: string): string[] {
  return stateRoots(root).flatMap((r) => {
    try {
      return fs.readdirSync(path.join(r, 'containers')).filter((d) => /^[0-9a-f]{12,64}$/.test(d));
    } catch {
      return [];
    }
  });
}

/** SIGKILL the PID 1 of every container recorded under root, if it is still the same process. */
export function killRecorded(root: string): number {
  let n = 0;
  for (const dir of stateRoots(root).flatMap((r) => containerIds(r).map((id) => path.join(r, 'containers', id)))) {
    try {
      const s = JSON.parse(fs.readFileSync(path.join(dir, 'state.json'), 'utf8')) as { pid?: number | null; pidStartTime?: string | null };
      for (const [key, value] of Object.entries(s)) {
        // the container's pid, and a monitor's pid if the lifecycle feature records one (…Pid + …StartTime)
        if (!/pid$/i.test(key) || typeof value !== 'number' || value <= 1) continue;
        const st = (s as Record<string, unknown>)[`${key}StartTime`];
        if (typeof st === 'string' && processStartTime(value) !== st) continue;
        if (typeof st !== 'string' && key !== 'pid') continue;
        try {
          process.kill(value, 'SIGKILL');
          n++;
        } catch {
          // gone already
        }
      }
    } catch {
      // no state.json or a torn one: nothing to kill from it
    }
  }
  return n;
}

/** Kill recorded containers, lazily unmount everything under root, delete it. */
export function cleanStateRoot(root: string): { processes: number; mounts: number } {
  const processes = killRecorded(root);
  const mounts = mountsUnder(root);
  for (const m of mounts) spawnSync('umount', ['-l', m], { stdio: 'ignore' });
  fs.rmSync(root, { recursive: true, force: true, maxRetries: 3 });
  return { processes, mounts: mounts.length };
}

function walkDirs(dir: string, out: string[] = []): string[] {
  let entries: fs.Dirent[] = [];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    if (!e.isDirectory()) continue;
    const p = path.join(dir, e.name);
    walkDirs(p, out);
    out.push(p); // children before parents: rmdir order
  }
  return out;
}

/** Remove a cgroup subtree: kill its processes, then rmdir bottom-up. Returns the dirs removed. */
export function removeCgroupTree(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const removed: string[] = [];
  for (const d of [...walkDirs(dir), dir]) {
    try {
      for (const pid of fs.readFileSync(path.join(d, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean)) {
        try {
          process.kill(Number(pid), 'SIGKILL');
        } catch {
          // gone
        }
      }
    } catch {
      // not a cgroup dir
    }
  }
  for (const d of [...walkDirs(dir), dir]) {
    for (let i = 0; i < 20; i++) {
      try {
        fs.rmdirSync(d);
        removed.push(d);
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') break;
        spawnSync('sleep', ['0.05']);
      }
    }
  }
  return removed;
}


/** Cgroup dirs whose name contains one of the ids (12-hex prefixes), anywhere under tiny-docker/. */
function cgroupsNamed(ids: string[], all: boolean): string[] {
  const found: string[] = [];
  for (const m of cgroupMounts().map((c) => c.mountPoint)) {
    for (const d of walkDirs(m)) {
      if (!d.includes('/tiny-docker/')) continue;
      const base = path.basename(d);
      if (all || ids.some((id) => base.includes(id.slice(0, 12)))) found.push(d);
    }
  }
  return found;
}

function links(): string[] {
  const r = spawnSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' });
  return (r.stdout ?? '').split('\n').map((l) => l.split(':')[1]?.trim().split('@')[0] ?? '').filter(Boolean);
}

/** Everything a run may have left, by our prefixes. Returns counts (what was junk). */
export function cleanLeftovers(root: string, scope: CleanScope, ownCgroups: string[] = []): Leftovers {
  const ids = containerIds(root);
  const { processes, mounts } = fs.existsSync(root) ? cleanStateRoot(root) : { processes: 0, mounts: 0 };
  let cgroups = 0;
  // the grader's own cgroup and the shared tiny-docker/ parent inside it are expected, not junk
  for (const d of ownCgroups) cgroups += removeCgroupTree(d).filter((x) => x !== d && path.basename(x) !== 'tiny-docker').length;
  for (const d of cgroupsNamed(ids, scope === 'all')) cgroups += removeCgroupTree(d).length;
  let linkCount = 0;
  for (const l of links()) {
    const ours = scope === 'all' ? /^tdk/.test(l) : ids.some((id) => l.includes(id.slice(0, 7)));
    if (ours && spawnSync('ip', ['link', 'del', l], { stdio: 'ignore' }).status === 0) linkCount++;
  }
  let iptables = 0;
  if (scope === 'all') {
    for (const table of ['nat', 'filter']) {
      const r = spawnSync('iptables', ['-t', table, '-S'], { encoding: 'utf8' });
      const lines = (r.stdout ?? '').split('\n');
      // rules that jump to our chains first, then the chains themselves
      for (const l of lines.filter((x) => x.startsWith('-A ') && / -j TINY-DOCKER/.test(x) && !/^-A TINY-DOCKER/.test(x))) {
        if (spawnSync('iptables', ['-t', table, ...l.replace(/^-A /, '-D ').split(' ')], { stdio: 'ignore' }).status === 0) iptables++;
      }
      for (const chain of lines.filter((x) => /^-N TINY-DOCKER/.test(x)).map((x) => x.split(' ')[1]!)) {
        spawnSync('iptables', ['-t', table, '-F', chain], { stdio: 'ignore' });
        if (spawnSync('iptables', ['-t', table, '-X', chain], { stdio: 'ignore' }).status === 0) iptables++;
      }
    }
  }
  return { processes, mounts, cgroups, links: linkCount, iptables };
}

export function describeLeftovers(l: Leftovers): string | null {
  const parts = Object.entries(l)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${n} ${k}`);
  return parts.length ? `left junk behind (cleaned): ${parts.join(', ')}` : null;
}
