/**
 * A state file from an older tiny-docker (no `spec`, no `facts`) is still
 * listed and can be removed: state left behind must never get stuck.
 */
import { afterAll, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { newId } from '../ids.ts';
import { cli, stateEntries, tempRoot } from '../../test/helpers.ts';

const root = tempRoot('old-state');
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

it('rm removes a container whose state file has no spec', () => {
  const id = newId();
  const dir = path.join(root, 'containers', id);
  fs.mkdirSync(path.join(dir, 'upper'), { recursive: true });
  const old = { version: 1, id, name: 'from-before', rootfs: '/nonexistent', rootfsMode: 'overlay', command: ['true'], hostname: 'h', status: 'exited', pid: null, pidStartTime: null, exitCode: 0, oomKilled: false, createdAt: new Date().toISOString(), startedAt: null, finishedAt: null, autoRemove: false, detached: false };
  fs.writeFileSync(path.join(dir, 'state.json'), JSON.stringify(old));
  const ps = cli(root, ['ps', '-a']);
  expect(ps.stdout).toContain('from-before');
  const rm = cli(root, ['rm', 'from-before']);
  expect(rm).toMatchObject({ code: 0, stdout: 'from-before\n' });
  expect(stateEntries(root)).toEqual([]);
});
