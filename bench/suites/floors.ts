/**
 * The floors: nothing that starts a process can beat a bare spawn of
 * /bin/true, and no Node CLI can beat `node -e 0`. A CLI lives in a file and
 * is an ES module, so the fairer floor for one is an empty .mjs file: Node's
 * ESM loader costs something before the first line of any CLI runs.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BenchContext } from '../lib/context.ts';
import type { Planned } from '../lib/measure.ts';
import { runProcess } from '../lib/process.ts';

export function floorTasks(ctx: BenchContext): Planned[] {
  const empty = path.join(ctx.scratch, 'empty.mjs');
  fs.writeFileSync(empty, '');
  return [
    {
      row: { id: 'floor-spawn', group: 'floor', label: 'host spawn (floor)', what: 'spawn /bin/true, no isolation' },
      fn: () => runProcess('/bin/true', []),
    },
    {
      row: { id: 'floor-node', group: 'floor', label: 'node floor', what: 'node -e 0' },
      fn: () => runProcess(process.execPath, ['-e', '0']),
    },
    {
      row: { id: 'floor-node-esm', group: 'floor', label: 'node floor, ES module file', what: 'node empty.mjs (what any ESM CLI pays first)' },
      fn: () => runProcess(process.execPath, [empty]),
    },
  ];
}
