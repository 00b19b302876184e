/**
 * tiny-runc and namespaces made or held elsewhere: a mount namespace joined by
 * path, a container without a mount namespace (its mounts live on the host),
 * and user namespaces. Real containers (root), a private --root, and counts
 * before and after that prove nothing is left behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HOST_ROOTFS, mountCount, stateEntries, tempRoot } from '../../test/helpers.ts';
import type { OciConfig } from './config.ts';
import { runcKit } from './test-support.ts';

const root = tempRoot('oci-ns');
const dirs: string[] = [root];
const started: ChildProcess[] = [];
const { runc, state, waitFor, bundle } = runcKit(root, dirs);

async function until(what: string, ok: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 50));
  expect(ok(), what).toBe(true);
}

/** Lines of the host's mountinfo that mention a path (a leaked mount would). */
function hostMountsOf(p: string): string[] {
  return fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => l.includes(p));
}

/** Uid and Gid lines of /proc/PID/status: real, effective, saved, fs, as the host sees them. */
function hostIds(pid: number): { uid: string; gid: string } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return { uid: /^Uid:\s+(.*)$/m.exec(status)![1]!.trim(), gid: /^Gid:\s+(.*)$/m.exec(status)![1]!.trim() };
}

/**
 * tiny-init processes in a user namespace other than the host's: a helper or
 * PID 1 of ours left behind would show here (other test files, running in
 * parallel, make no user namespaces).
 */
function tinyInits(): number[] {
  return fs
    .readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        return fs.readFileSync(`/proc/${d}/cmdline`, 'utf8').startsWith('tiny-init') && fs.readlinkSync(`/proc/${d}/ns/user`) !== fs.readlinkSync('/proc/self/ns/user');
      } catch {
        return false;
      }
    })
    .map(Number);
}

const USERNS_MAP = [{ containerID: 0, hostID: 100000, size: 65536 }];

afterAll(() => {
  for (const c of started) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

describe('tiny-runc namespaces', () => {
  it('joins a mount namespace given by path and builds the rootfs in it, not on the host', async () => {
    // unshare(1) is single-threaded: it can make a mount namespace and hold it.
    const holder = spawn('unshare', ['--mount', '--propagation', 'private', 'sleep', '1000'], { stdio: 'ignore' });
    started.push(holder);
    const nsPath = `/proc/${holder.pid}/ns/mnt`;
    await until('unshare entered its mount namespace', () => fs.readlinkSync(nsPath) !== fs.readlinkSync('/proc/self/ns/mnt'));
    const mountsBefore = mountCount();
    const b = bundle((c) => {
      c.process!.args = ['sleep', '1000'];
      c.linux!.namespaces = c.linux!.namespaces!.map((n) => (n.type === 'mount' ? { type: 'mount', path: nsPath } : n));
    });

    const created = runc(['create', '--bundle', b, 'ns-mnt']);
    expect(created.code, created.stderr).toBe(0);
    const pid = state('ns-mnt').pid;
    expect(fs.readlinkSync(`/proc/${pid}/ns/mnt`)).toBe(fs.readlinkSync(nsPath));
    // The container's root is its rootfs; the host saw none of its mounts.
    expect(fs.existsSync(`/proc/${pid}/root/bin/sh`)).toBe(true);
    expect(mountCount()).toBe(mountsBefore);

    expect(runc(['delete', '--force', 'ns-mnt']).code).toBe(0);
    expect(stateEntries(root)).toEqual([]);
    expect(mountCount()).toBe(mountsBefore);
    holder.kill('SIGKILL');
  }, 60_000);

  it('runs a container in a user namespace: root inside, the mapped uid outside, the maps in /proc/self', async () => {
    const out = path.join(root, 'userns.out');
    const b = bundle((c) => {
      c.process!.args = ['sh', '-c', 'cat /proc/self/uid_map /proc/self/gid_map; id -u; id -g; sleep 1000'];
      c.linux!.namespaces!.push({ type: 'user' });
      c.linux!.uidMappings = USERNS_MAP;
      c.linux!.gidMappings = USERNS_MAP;
    });
    const mountsBefore = mountCount();
    const created = runc(['create', '--bundle', b, 'ns-user'], { out });
    expect(created.code, fs.readFileSync(out, 'utf8') + created.stderr).toBe(0);
    const pid = state('ns-user').pid;
    // Already "created" inside it, as runc's: its own user namespace, and the
    // namespaces that namespace owns.
    for (const ns of ['user', 'mnt', 'uts', 'ipc', 'net', 'pid', 'cgroup']) {
      expect(fs.readlinkSync(`/proc/${pid}/ns/${ns}`), ns).not.toBe(fs.readlinkSync(`/proc/self/ns/${ns}`));
    }
    expect(hostIds(pid)).toEqual({ uid: '100000\t100000\t100000\t100000', gid: '100000\t100000\t100000\t100000' });
    // The helper that made the namespaces is gone; only PID 1 remains.
    expect(tinyInits()).toEqual([pid]);

    expect(runc(['start', 'ns-user']).code).toBe(0);
    await until('the container printed its ids', () => fs.readFileSync(out, 'utf8').split('\n').length > 4);
    const lines = fs.readFileSync(out, 'utf8').trim().split('\n').map((l) => l.trim().split(/\s+/).join(' '));
    expect(lines).toEqual(['0 100000 65536', '0 100000 65536', '0', '0']);
    // The command itself: uid 0 inside is 100000 on the host.
    expect(hostIds(pid).uid).toBe('100000\t100000\t100000\t100000');

    expect(runc(['kill', 'ns-user', 'KILL']).code).toBe(0);
    await waitFor('ns-user', 'stopped');
    expect(runc(['delete', 'ns-user']).code).toBe(0);
    expect(stateEntries(root)).toEqual([]);
    expect(mountCount()).toBe(mountsBefore);
    expect(tinyInits()).toEqual([]);
  }, 60_000);

  it.each([
    ['a user namespace without mappings', (c: OciConfig) => c.linux!.namespaces!.push({ type: 'user' }), /^tiny-runc: a user namespace needs linux.uidMappings/m],
    ['mappings without a user namespace', (c: OciConfig) => (c.linux!.uidMappings = USERNS_MAP), /^tiny-runc: linux.uidMappings\/gidMappings are set, but linux.namespaces has no user namespace/m],
    [
      'a process uid the mappings leave out',
      (c: OciConfig) => {
        c.linux!.namespaces!.push({ type: 'user' });
        c.linux!.uidMappings = USERNS_MAP;
        c.linux!.gidMappings = USERNS_MAP;
        c.process!.user = { uid: 70000, gid: 0 };
      },
      /^tiny-runc: process.user.uid 70000 is not mapped by linux.uidMappings$/m,
    ],
  ])('refuses %s with one line, exit 125, and leaves nothing behind', (_what, edit, message) => {
    const b = bundle(edit);
    const mountsBefore = mountCount();
    const r = runc(['create', '--bundle', b, 'ns-bad']);
    expect(r.code).toBe(125);
    expect(r.stderr).toMatch(message);
    expect(stateEntries(root)).toEqual([]);
    expect(mountCount()).toBe(mountsBefore);
    expect(tinyInits()).toEqual([]);
  });

  it('a container without a mount namespace leaves no host mount once it exits, even without delete', async () => {
    const b = bundle((c) => {
      c.hostname = undefined;
      c.process!.args = ['sh', '-c', 'test -c /dev/null && sleep 1000'];
      c.linux!.namespaces = c.linux!.namespaces!.filter((n) => n.type !== 'mount');
    });
    const mountsBefore = mountCount();
    const created = runc(['create', '--bundle', b, 'ns-nomnt']);
    expect(created.code, created.stderr).toBe(0);
    expect(created.stderr).toMatch(/no mount namespace/);
    // Its rootfs and /dev are mounts on the host while it lives…
    expect(hostMountsOf(HOST_ROOTFS).length).toBeGreaterThan(0);
    expect(mountCount()).toBeGreaterThan(mountsBefore);
    expect(runc(['start', 'ns-nomnt']).code).toBe(0);
    expect(state('ns-nomnt').status).toBe('running');
    expect(runc(['kill', 'ns-nomnt', 'KILL']).code).toBe(0);
    await waitFor('ns-nomnt', 'stopped');
    // …and gone as soon as it exits: its holder detached them, no `delete` needed.
    await until('the holder detached the host mounts', () => mountCount() === mountsBefore);
    expect(hostMountsOf(HOST_ROOTFS)).toEqual([]);
    expect(runc(['delete', 'ns-nomnt']).code).toBe(0);
    expect(stateEntries(root)).toEqual([]);
    expect(mountCount()).toBe(mountsBefore);
  }, 60_000);

  it('a created container without a mount namespace that is killed before start leaves no host mount', async () => {
    const b = bundle((c) => {
      c.hostname = undefined;
      c.linux!.namespaces = c.linux!.namespaces!.filter((n) => n.type !== 'mount');
    });
    const mountsBefore = mountCount();
    expect(runc(['create', '--bundle', b, 'ns-nomnt-2']).code).toBe(0);
    expect(mountCount()).toBeGreaterThan(mountsBefore);
    expect(runc(['kill', 'ns-nomnt-2', 'KILL']).code).toBe(0);
    await until('the holder detached the host mounts', () => mountCount() === mountsBefore);
    expect(runc(['delete', 'ns-nomnt-2']).code).toBe(0);
    expect(stateEntries(root)).toEqual([]);
  }, 60_000);
});
