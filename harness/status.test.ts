import { afterAll, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { readStatus, recordStatus } from './status.ts';
import type { LabResult } from './runner.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tdk-status-'));
afterAll(() => {
  delete process.env.TINY_DOCKER_LAB_STATUS;
  fs.rmSync(dir, { recursive: true, force: true });
});
const result = { lab: '01-process', status: 'passed', score: 8, total: 8 } as unknown as LabResult;

it('records a lab result atomically and reads it back', () => {
  process.env.TINY_DOCKER_LAB_STATUS = path.join(dir, 'status.json');
  recordStatus(dir, result);
  expect(readStatus(dir)['01-process']).toMatchObject({ status: 'passed', score: 8, total: 8 });
});

it('never replaces a file that is not a regular file (a device, a fifo)', () => {
  const fifo = path.join(dir, 'fifo');
  execFileSync('mkfifo', [fifo]);
  process.env.TINY_DOCKER_LAB_STATUS = fifo;
  recordStatus(dir, result);
  expect(fs.statSync(fifo).isFIFO()).toBe(true);
  expect(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
});

it('TINY_DOCKER_LAB_STATUS=off records nothing', () => {
  process.env.TINY_DOCKER_LAB_STATUS = 'off';
  recordStatus(dir, result);
  expect(readStatus(dir)).toEqual({});
});
