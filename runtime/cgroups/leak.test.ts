/**
 * Leaks: after 200 limited `run --rm`, nothing is left under the parent
 * group (and no state, no mounts). Most runs use the in-process API (the
 * CLI would spend its time starting Node); a few go through the real CLI.
 */
import * as fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { HOST_ROOTFS, cli, mountCount, stateEntries, tempRoot } from '../../test/helpers.ts';
import { spawn } from 'node:child_process';
import { runContainer } from '../container.ts';
import { cleanupCgroups } from './feature.ts';
import { joinCgroupsOf } from '../lifecycle/join-cgroups.ts';
import { Store } from '../store.ts';
import { detectCgroupMode } from './detect.ts';
import { groupsUnder, removeParents, specFor, uniqueParent, v1ParentDirs } from './test-support.ts';

const mode = detectCgroupMode();
const root = tempRoot('cg-leak');
const parent = uniqueParent('leak');
const parents = v1ParentDirs(parent);
const LIMITS = ['--memory', '64m', '--pids-limit', '32', '--cpus', '0.5'];

afterAll(() => {
  removeParents(parents);
  fs.rmSync(root, { recursive: true, force: true });
});

describe.runIf(mode === 'v1' || mode === 'hybrid')('cgroup cleanup', () => {
  it('200 limited run --rm leave nothing under the parent group', async () => {
    const store = new Store(root);
    const mountsBefore = mountCount();
    const before = groupsUnder(parents);
    let failures = 0;
    for (let i = 0; i < 190; i++) {
      const spec = await specFor(['--rm', '--rootfs', HOST_ROOTFS, '--cgroup-parent', parent, ...LIMITS, '/bin/true']);
      const status = await (await runContainer(spec, { store, stdio: ['ignore', 'ignore', 'ignore'] })).wait();
      if (status.exitCode !== 0) failures++;
    }
    for (let i = 0; i < 10; i++) {
      const r = cli(root, ['run', '--rm', '--rootfs', HOST_ROOTFS, '--cgroup-parent', parent, ...LIMITS, '/bin/true']);
      if (r.code !== 0) failures++;
    }
    expect(failures).toBe(0);
    expect(before).toEqual([]);
    expect(groupsUnder(parents)).toEqual([]);
    expect(parents.every((d) => fs.existsSync(d))).toBe(true); // the parent itself stays, as Docker's does
    expect(stateEntries(root)).toEqual([]);
    expect(mountCount()).toBe(mountsBefore);
  }, 240_000);

  it('a container killed from outside still has its group removed, even with children left behind', async () => {
    const store = new Store(root);
    const spec = await specFor(['--rm', '--rootfs', HOST_ROOTFS, '--cgroup-parent', parent, '--memory', '32m', '/bin/sh', '-c', 'sleep 30 & sleep 30 & wait']);
    const c = await runContainer(spec, { store, stdio: ['ignore', 'ignore', 'ignore'] });
    const memoryDir = (store.read(spec.id).facts.cgroups as { dirs: Record<string, string> }).dirs.memory!;
    await new Promise((r) => setTimeout(r, 200));
    expect(fs.readFileSync(`${memoryDir}/cgroup.procs`, 'utf8').trim().split('\n').length).toBe(3);
    c.kill('SIGKILL');
    expect((await c.wait()).exitCode).toBe(137);
    expect(fs.existsSync(memoryDir)).toBe(false);
    expect(groupsUnder(parents)).toEqual([]);
  });

  it('a process joined to the group from outside (as exec does) is killed and the group removed when the container exits', async () => {
    const store = new Store(root);
    const spec = await specFor(['--rm', '--rootfs', HOST_ROOTFS, '--cgroup-parent', parent, '--pids-limit', '16', 'sleep', '0.5']);
    const c = await runContainer(spec, { store, stdio: ['ignore', 'ignore', 'ignore'] });
    const facts = store.read(spec.id).facts;
    const outsider = spawn('sleep', ['30'], { stdio: 'ignore' });
    const killed = new Promise<NodeJS.Signals | null>((r) => outsider.once('exit', (_c, sig) => r(sig)));
    joinCgroupsOf(c.pid, outsider.pid!); // what exec does: join every cgroup of the container's PID 1
    const pidsDir = (facts.cgroups as { dirs: Record<string, string> }).dirs.pids!;
    expect(fs.readFileSync(`${pidsDir}/cgroup.procs`, 'utf8')).toContain(String(outsider.pid));
    expect((await c.wait()).exitCode).toBe(0);
    expect(await killed).toBe('SIGKILL'); // not in the PID namespace: only the cgroup kill reaches it
    expect(groupsUnder(parents)).toEqual([]);
  });

  it('cleanup works from the saved facts alone (as a monitor in another process would), and twice', async () => {
    const store = new Store(root);
    const spec = await specFor(['--rootfs', HOST_ROOTFS, '--cgroup-parent', parent, '--memory', '32m', 'sleep', '30']);
    const c = await runContainer(spec, { store, stdio: ['ignore', 'ignore', 'ignore'] });
    const saved = JSON.parse(fs.readFileSync(`${store.dir(spec.id)}/state.json`, 'utf8')).facts;
    expect(groupsUnder(parents)).toHaveLength(4); // memory, pids, cpuacct, freezer
    await cleanupCgroups(saved);
    await cleanupCgroups(saved);
    expect((await c.wait()).exitCode).toBe(137);
    expect(groupsUnder(parents)).toEqual([]);
    store.remove(spec.id);
  });
});
