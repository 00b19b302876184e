/**
 * tiny-docker stats [--no-stream] [--json] CONTAINER...
 *
 * Memory now and at its peak, processes, and CPU time, straight from the
 * container's cgroup files. Without --no-stream it refreshes every second
 * until the containers stop or Ctrl-C, as `docker stats` does.
 */
import { ConfigError } from '../../errors.ts';
import { shortId } from '../../ids.ts';
import { stateRoot } from '../../paths.ts';
import { Store } from '../../store.ts';
import { containerStats, type ContainerStats } from '../../cgroups/stats.ts';
import { bool, helpText, parseArgs, type FlagSpec } from '../args.ts';
import { table } from '../output.ts';

const FLAGS: FlagSpec[] = [
  { name: 'no-stream', type: 'bool', help: 'print one sample and exit' },
  { name: 'json', type: 'bool', help: 'print the raw numbers as JSON' },
  { name: 'help', type: 'bool', help: 'show this help' },
];

export default async function stats(argv: string[]): Promise<number> {
  const { flags, positionals } = parseArgs('stats', argv, FLAGS);
  if (bool(flags, 'help')) {
    process.stdout.write(helpText('tiny-docker stats [OPTIONS] CONTAINER...', "Show a running container's resource usage (from its cgroup).", FLAGS));
    return 0;
  }
  if (positionals.length === 0) throw new ConfigError('stats needs a container', { hint: 'e.g. tiny-docker stats --no-stream web' });
  const store = new Store(stateRoot());
  const sample = () => positionals.map((ref) => containerStats(store, ref));
  if (bool(flags, 'no-stream')) {
    print(sample(), bool(flags, 'json'));
    return 0;
  }
  let stop = false;
  const onInt = () => (stop = true);
  process.once('SIGINT', onInt);
  try {
    while (!stop) {
      print(sample(), bool(flags, 'json'));
      await new Promise((r) => setTimeout(r, 1000));
    }
  } finally {
    process.off('SIGINT', onInt);
  }
  return 0;
}

function print(rows: ContainerStats[], json: boolean): void {
  if (json) {
    process.stdout.write(JSON.stringify(rows.length === 1 ? rows[0] : rows, null, 2) + '\n');
    return;
  }
  const out = [['CONTAINER ID', 'NAME', 'CPU TIME', 'MEM USAGE / LIMIT', 'MEM PEAK', 'PIDS']];
  for (const s of rows) {
    out.push([
      shortId(s.id),
      s.name,
      s.cpuUsageNs === null ? '--' : `${(s.cpuUsageNs / 1e9).toFixed(2)}s`,
      `${bytes(s.memoryCurrent)} / ${s.memoryLimit === null ? 'unlimited' : bytes(s.memoryLimit)}`,
      bytes(s.memoryPeak),
      s.pidsCurrent === null ? '--' : `${s.pidsCurrent}${s.pidsLimit === null ? '' : ` / ${s.pidsLimit}`}`,
    ]);
  }
  process.stdout.write(table(out));
}

/** 134217728 → "128MiB", as docker stats prints sizes. */
export function bytes(n: number | null): string {
  if (n === null) return '--';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(v < 10 ? 2 : 1).replace(/\.0+$/, '')}${units[i]}`;
}
