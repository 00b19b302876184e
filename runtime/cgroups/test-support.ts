/**
 * Helpers for the cgroup tests: a private parent group per test file, and
 * counters over it that prove cleanup. Not used by the runtime itself.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { parseArgs } from '../cli/args.ts';
import { RUN_FLAGS, applyFeatureFlags, specFromFlags } from '../cli/run-options.ts';
import type { ContainerSpec } from '../spec.ts';
import { cgroupMounts, selfCgroups } from './detect.ts';

/** The v1 controllers a container may use (see v1.ts). */
export const V1_CONTROLLERS = ['memory', 'pids', 'cpuacct', 'freezer', 'cpu'];

/** A unique relative --cgroup-parent, so counts are not disturbed by anyone else's containers. */
export function uniqueParent(label: string): string {
  return `tdk-test-${label}-${randomBytes(4).toString('hex')}`;
}

/** The host directories of a relative parent, one per v1 hierarchy (nested under our own cgroup). */
export function v1ParentDirs(parent: string): string[] {
  const self = selfCgroups();
  const mounts = cgroupMounts().filter((m) => m.fstype === 'cgroup');
  return V1_CONTROLLERS.flatMap((c) => {
    const m = mounts.find((x) => x.controllers.includes(c));
    return m ? [path.join(m.mountPoint, self.v1.get(c) ?? '/', parent)] : [];
  });
}

/** Everything below the parent dirs that is a directory (a container's group, or anything leaked). */
export function groupsUnder(dirs: string[]): string[] {
  return dirs.flatMap((d) => {
    try {
      return fs.readdirSync(d, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => path.join(d, e.name));
    } catch {
      return [];
    }
  });
}

/** Remove the (empty) parent dirs a test made. */
export function removeParents(dirs: string[]): void {
  for (const d of dirs) {
    try {
      fs.rmdirSync(d);
    } catch {
      // already gone, or never made
    }
  }
}

/** Build a spec exactly as `tiny-docker run ARGS` would (flags, then the command). */
export async function specFor(args: string[]): Promise<ContainerSpec> {
  const { flags, positionals } = parseArgs('run', args, RUN_FLAGS, { stopAtPositional: true });
  const spec = await specFromFlags(flags, positionals);
  await applyFeatureFlags(flags, spec);
  return spec;
}
