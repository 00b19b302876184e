/**
 * How much does the router itself add? Runs the same tiny-docker commands
 * directly and routed through the limactl STAND-IN (so no VM, no ssh: this
 * is the router's own overhead), interleaved in random order so machine
 * load hits both alike, and prints medians.
 *
 *   sudo npx tsx lima/testing/measure-router.ts [rounds=30]
 */
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { BIN, HOST_ROOTFS } from '../../test/helpers.ts';
import { running, sandbox } from './standin.ts';

const rounds = Number(process.argv[2] ?? 30);
const sb = sandbox('measure');
sb.setInstances([running()]);
const direct: NodeJS.ProcessEnv = { ...process.env, TINY_DOCKER_ROOT: path.join(sb.dir, 'direct'), TINY_DOCKER_IMAGES: path.join(sb.guestDir, 'images') };
delete direct.TINY_DOCKER_ROUTE;
const routed = { ...sb.env };
delete routed.LIMACTL_STANDIN_LOG; // logging is test bookkeeping, not router cost
const run = ['run', '--rm', '--rootfs', HOST_ROOTFS, '/bin/true'];

const cases: Record<string, [string, string[], NodeJS.ProcessEnv]> = {
  'node -e 0 (a bare Node start, for scale)': [process.execPath, ['-e', '0'], process.env],
  'direct: tiny-docker images': [process.execPath, [BIN, 'images'], direct],
  'routed: tiny-docker images': [process.execPath, [BIN, 'images'], routed],
  'routed, guest program /bin/true (host side + stand-in only)': [process.execPath, [BIN, 'images'], { ...routed, TINY_DOCKER_LIMA_NODE: '/bin/true' }],
  'direct: tiny-docker run --rm /bin/true': [process.execPath, [BIN, ...run], direct],
  'routed: tiny-docker run --rm /bin/true': [process.execPath, [BIN, ...run], routed],
};
const times: Record<string, number[]> = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
try {
  for (let i = 0; i < rounds + 2; i++) {
    for (const name of Object.keys(cases).sort(() => Math.random() - 0.5)) {
      const [cmd, args, env] = cases[name]!;
      const start = performance.now();
      const r = spawnSync(cmd, args, { env, cwd: sb.dir, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
      const ms = performance.now() - start;
      if (r.status !== 0) throw new Error(`${name}: exit ${r.status}: ${r.stderr}`);
      if (i >= 2) times[name]!.push(ms); // two warm-up rounds
    }
  }
} finally {
  sb.cleanup();
}
const median = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1]!;
for (const [name, t] of Object.entries(times)) {
  console.log(`${name.padEnd(62)} median ${median(t).toFixed(1).padStart(7)} ms   min ${Math.min(...t).toFixed(1).padStart(7)} ms   n=${t.length}`);
}
const m = (k: string) => median(times[k]!);
console.log(`\nadded by routing (median difference): images +${(m('routed: tiny-docker images') - m('direct: tiny-docker images')).toFixed(0)} ms, run +${(m('routed: tiny-docker run --rm /bin/true') - m('direct: tiny-docker run --rm /bin/true')).toFixed(0)} ms`);
