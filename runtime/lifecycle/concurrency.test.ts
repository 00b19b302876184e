/**
 * 50 concurrent `run -d`, with `ps` in a loop alongside: the store's locks
 * and atomic renames mean no reader ever sees a torn or corrupt state file.
 * Then `rm -f` of all 50 leaves the state root empty.
 */
import { afterAll, expect, test } from 'vitest';
import * as fs from 'node:fs';
import { cli, HOST_ROOTFS, mountCount, stateEntries, tempRoot } from '../../test/helpers.ts';
import { cliAsync, processesMentioning } from './test-helpers.ts';

const root = tempRoot('concurrency');
afterAll(() => {
  const left = stateEntries(root).filter((e) => /^[0-9a-f]{64}$/.test(e));
  if (left.length) cli(root, ['rm', '-f', ...left], { timeoutMs: 300_000 });
  fs.rmSync(root, { recursive: true, force: true });
});

/** Run at most `limit` at a time (2 cores: 50 Node processes at once would only thrash). */
async function bounded<T>(n: number, limit: number, job: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array(n);
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < n) {
        const i = next++;
        out[i] = await job(i);
      }
    }),
  );
  return out;
}

test('50 concurrent run -d never show ps a torn state, and rm -f of all leaves the root empty', async () => {
  const mountsBefore = mountCount();
  let stop = false;
  const psProblems: string[] = [];
  let psRuns = 0;
  const psLoop = (async () => {
    while (!stop) {
      const r = await cliAsync(root, ['ps', '-a', '--format', 'json']);
      psRuns++;
      if (r.code !== 0 || r.stderr) psProblems.push(`exit ${r.code}: ${r.stderr.trim()}`);
      for (const line of r.stdout.split('\n').filter(Boolean)) {
        try {
          JSON.parse(line);
        } catch {
          psProblems.push(`bad line: ${line}`);
        }
      }
    }
  })();

  const results = await bounded(50, 10, (i) => cliAsync(root, ['run', '-d', '--name', `c${i}`, '--rootfs', HOST_ROOTFS, '/bin/sleep', '600'], 240_000));
  stop = true;
  await psLoop;

  expect(results.filter((r) => r.code !== 0).map((r) => r.stderr)).toEqual([]);
  const ids = results.map((r) => r.stdout.trim());
  expect(new Set(ids).size).toBe(50);
  expect(psRuns).toBeGreaterThan(0);
  expect(psProblems).toEqual([]);

  const ps = cli(root, ['ps', '--format', 'json']);
  const running = ps.stdout.trim().split('\n').map((l) => JSON.parse(l));
  expect(running).toHaveLength(50);
  expect(running.every((c) => c.Status === 'running' && c.Pid > 0)).toBe(true);

  const rm = await bounded(5, 5, (i) => cliAsync(root, ['rm', '-f', ...ids.slice(i * 10, i * 10 + 10)], 240_000));
  expect(rm.map((r) => r.stderr)).toEqual(['', '', '', '', '']);
  expect(fs.readdirSync(`${root}/containers`)).toEqual([]);
  expect(processesMentioning(root)).toEqual([]);
  expect(mountCount()).toBe(mountsBefore);
}, 600_000);
