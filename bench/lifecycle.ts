/**
 * npx tsx bench/lifecycle.ts [--n 15]
 *
 * What a detached container costs (issue 5's benchmark), printed as markdown:
 *   - the memory its tiny-monitor holds while it runs (VmRSS, and Pss, which
 *     splits shared pages fairly: the real cost per container);
 *   - the latency of `run -d` (returns once the command runs) against a
 *     foreground `run` (returns once it has exited and been cleaned up).
 * Both as medians. Needs root. Uses a private state root, removed after.
 * measureLifecycle() is exported for the bench suite to call.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { projectRoot } from '../runtime/init/binary.ts';
import { imagesDir } from '../runtime/paths.ts';

const BIN = path.join(projectRoot(), 'bin', 'tiny-docker');

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function cli(root: string, args: string[]): { ms: number; stdout: string } {
  const t0 = performance.now();
  const r = spawnSync(BIN, ['--root', root, ...args], { encoding: 'utf8' });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`tiny-docker ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return { ms, stdout: r.stdout };
}

function statusKb(pid: number, field: string): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1] ?? NaN);
}

function pssKb(pid: number): number {
  const m = /^Pss:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
  return Number(m?.[1] ?? NaN);
}

async function untilEmpty(root: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (fs.readdirSync(path.join(root, 'containers')).length === 0) return;
    await new Promise((r) => setTimeout(r, 25));
  }
}

export interface LifecycleFigures {
  n: number;
  monitorRssKb: number;
  monitorPssKb: number;
  initRssKb: number;
  runDetachedMs: number;
  runForegroundMs: number;
}

export async function measureLifecycle(n = 15, rootfs = path.join(imagesDir(), 'host')): Promise<LifecycleFigures> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tdk-bench-lifecycle-'));
  try {
    // Warm up (page cache, tiny-monitor build).
    cli(root, ['run', '--rm', '--rootfs', rootfs, '/bin/true']);
    cli(root, ['run', '-d', '--rm', '--rootfs', rootfs, '/bin/true']);
    await untilEmpty(root);

    const detached: number[] = [];
    const foreground: number[] = [];
    for (let i = 0; i < n; i++) {
      // Alternate, so load drift hits both alike.
      detached.push(cli(root, ['run', '-d', '--rm', '--rootfs', rootfs, '/bin/true']).ms);
      await untilEmpty(root); // its monitor's cleanup, untimed
      foreground.push(cli(root, ['run', '--rm', '--rootfs', rootfs, '/bin/true']).ms);
    }

    const ids = Array.from({ length: 5 }, () => cli(root, ['run', '-d', '--rootfs', rootfs, '/bin/sleep', '600']).stdout.trim());
    const states = ids.map((id) => JSON.parse(fs.readFileSync(path.join(root, 'containers', id, 'state.json'), 'utf8')) as { pid: number; monitorPid: number });
    const figures: LifecycleFigures = {
      n,
      monitorRssKb: median(states.map((s) => statusKb(s.monitorPid, 'VmRSS'))),
      monitorPssKb: median(states.map((s) => pssKb(s.monitorPid))),
      initRssKb: median(states.map((s) => statusKb(s.pid, 'VmRSS'))),
      runDetachedMs: median(detached),
      runForegroundMs: median(foreground),
    };
    cli(root, ['rm', '-f', ...ids]);
    return figures;
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const nArg = process.argv.indexOf('--n');
  const f = await measureLifecycle(nArg > 0 ? Number(process.argv[nArg + 1]) : 15);
  process.stdout.write(
    [
      `| measure (median of ${f.n}) | value |`,
      '| --- | --- |',
      `| tiny-monitor RSS per detached container | ${f.monitorRssKb} KiB |`,
      `| tiny-monitor Pss (shared pages split) | ${f.monitorPssKb} KiB |`,
      `| the container's own PID 1 (sleep), for scale | ${f.initRssKb} KiB |`,
      `| \`run -d --rm /bin/true\` (returns once running) | ${f.runDetachedMs.toFixed(0)} ms |`,
      `| \`run --rm /bin/true\` (returns after exit + cleanup) | ${f.runForegroundMs.toFixed(0)} ms |`,
      '',
    ].join('\n'),
  );
}
