/**
 * The floors: nothing that starts a process can beat a bare spawn of
 * /bin/true, and no Node CLI can beat `node -e 0`.
 */
import type { BenchContext } from '../lib/context.ts';
import { measure } from '../lib/measure.ts';
import { runProcess } from '../lib/process.ts';
import type { Row } from '../lib/rows.ts';

export async function floorRows(ctx: BenchContext): Promise<Row[]> {
  return [
    await measure(
      { id: 'floor-spawn', group: 'floor', label: 'host spawn (floor)', what: 'spawn /bin/true, no isolation' },
      () => runProcess('/bin/true', []),
      ctx.budget,
      ctx.progress,
    ),
    await measure(
      { id: 'floor-node', group: 'floor', label: 'node floor', what: 'node -e 0' },
      () => runProcess(process.execPath, ['-e', '0']),
      ctx.budget,
      ctx.progress,
    ),
  ];
}
