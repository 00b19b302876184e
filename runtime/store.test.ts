import { afterAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Store, processStartTime, isSameProcess, type ContainerState } from './store.ts';
import { newId } from './ids.ts';
import { makeSpec, tempRoot } from '../test/helpers.ts';

const root = tempRoot('store');
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

function state(name: string, id = newId()): ContainerState {
  const spec = makeSpec(['true'], { id, name });
  return { version: 1, id, name, rootfs: spec.rootfs, rootfsMode: 'overlay', command: ['true'], hostname: 'h', status: 'exited', pid: null, pidStartTime: null, exitCode: 0, oomKilled: false, createdAt: '', startedAt: null, finishedAt: null, autoRemove: false, detached: false, spec, facts: {} };
}

describe('the state store', () => {
  const store = new Store(root);
  const a = state('alpha', 'abc' + newId().slice(3));
  const b = state('beta', 'abd' + newId().slice(3));
  store.create(a);
  store.create(b);

  it('finds containers by name, full id and unique prefix', () => {
    expect(store.resolve('alpha')).toBe(a.id);
    expect(store.resolve(b.id)).toBe(b.id);
    expect(store.resolve('abc')).toBe(a.id);
  });

  it('refuses an ambiguous prefix and unknown ids with a clear message', () => {
    expect(() => store.resolve('ab')).toThrow('ambiguous container id prefix "ab" matches 2 containers');
    expect(() => store.resolve('zzz')).toThrow('No such container: zzz');
    expect(() => store.resolve('../etc')).toThrow(/No such container/);
  });

  it('refuses a duplicate name', () => {
    expect(() => store.create(state('alpha'))).toThrow('the container name "alpha" is already in use');
  });

  it('reports a corrupt state file and still lists the rest', () => {
    const c = state('gamma');
    store.create(c);
    fs.writeFileSync(path.join(root, 'containers', c.id, 'state.json'), '{"torn":');
    const entries = store.list();
    expect(entries.filter((e) => e.ok)).toHaveLength(2);
    expect(entries.find((e) => !e.ok)).toMatchObject({ ok: false, id: c.id });
    store.remove(c.id);
  });

  it('rejects ids that are not 64 hex digits (no ../ in paths)', () => {
    expect(() => store.dir('../../etc')).toThrow('invalid container id');
  });

  it('trusts a pid only while its start time matches', () => {
    const mine = processStartTime(process.pid);
    expect(mine).toMatch(/^\d+$/);
    expect(isSameProcess(process.pid, mine)).toBe(true);
    expect(isSameProcess(process.pid, '1')).toBe(false);
  });
});
