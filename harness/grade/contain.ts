/**
 * A cgroup around each lab run of a student: memory and pids limits, so a
 * fork bomb or a leak in student code stays inside. It nests under the
 * grader's own cgroup (v1: per controller; v2: the unified tree), so the
 * grader never escapes whoever started it. Best effort: when the hierarchy
 * does not allow it, the run goes on without, and the report says so.
 *
 * The child is placed before it runs anything: a tiny sh writes its own pid
 * into cgroup.procs, then execs the lab runner.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface Containment {
  /** cgroup directories made for this run (removed with removeCgroupTree). */
  dirs: string[];
  /** argv prefix that places the process, then execs the real command. */
  wrap(argv: string[]): string[];
  describe: string;
}

function ownCgroups(): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of fs.readFileSync('/proc/self/cgroup', 'utf8').trim().split('\n')) {
    const [, ctrls, p] = line.split(':') as [string, string, string];
    for (const c of ctrls === '' ? ['unified'] : ctrls.split(',')) m.set(c, p);
  }
  return m;
}

export function containment(name: string, limits: { memoryBytes: number; pids: number }): Containment {
  const dirs: string[] = [];
  const writes: [string, string][] = [];
  const own = ownCgroups();
  const v2 = fs.existsSync('/sys/fs/cgroup/cgroup.controllers');
  try {
    if (v2) {
      const dir = path.join('/sys/fs/cgroup', own.get('unified') ?? '/', name);
      fs.mkdirSync(dir);
      dirs.push(dir);
      const ctl = fs.readFileSync(path.join(dir, 'cgroup.controllers'), 'utf8');
      if (ctl.includes('memory')) writes.push([path.join(dir, 'memory.max'), String(limits.memoryBytes)]);
      if (ctl.includes('pids')) writes.push([path.join(dir, 'pids.max'), String(limits.pids)]);
    } else {
      for (const [ctrl, file, value] of [
        ['memory', 'memory.limit_in_bytes', limits.memoryBytes],
        ['pids', 'pids.max', limits.pids],
      ] as const) {
        const base = path.join('/sys/fs/cgroup', ctrl);
        if (!fs.existsSync(base)) continue;
        const dir = path.join(base, own.get(ctrl) ?? '/', name);
        fs.mkdirSync(dir);
        dirs.push(dir);
        writes.push([path.join(dir, file), String(value)]);
      }
    }
    for (const [f, v] of writes) fs.writeFileSync(f, v);
  } catch (err) {
    for (const d of dirs.reverse()) fs.rmSync(d, { recursive: false, force: true });
    return { dirs: [], wrap: (argv) => argv, describe: `no cgroup limits (${(err as Error).message.split('\n')[0]})` };
  }
  const procs = dirs.map((d) => path.join(d, 'cgroup.procs'));
  const script = `${procs.map((p) => `echo $$ > '${p}'`).join(' && ')} && exec "$@"`;
  return {
    dirs,
    wrap: (argv) => ['/bin/sh', '-c', script, 'tdk-grade', ...argv],
    describe: `cgroup limits: memory ${Math.round(limits.memoryBytes / 2 ** 20)} MiB, pids ${limits.pids}`,
  };
}
