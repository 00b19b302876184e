/**
 * The floors: nothing that starts a process can beat a bare spawn of
 * /bin/true, and no Node CLI can beat `node -e 0`.
 */
import type { Planned } from '../lib/measure.ts';
import { runProcess } from '../lib/process.ts';

export function floorTasks(): Planned[] {
  return [
    {
      row: { id: 'floor-spawn', group: 'floor', label: 'host spawn (floor)', what: 'spawn /bin/true, no isolation' },
      fn: () => runProcess('/bin/true', []),
    },
    {
      row: { id: 'floor-node', group: 'floor', label: 'node floor', what: 'node -e 0' },
      fn: () => runProcess(process.execPath, ['-e', '0']),
    },
  ];
}
