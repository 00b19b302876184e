/**
 * tiny-runc and namespaces made or held elsewhere: a mount namespace joined by
 * path, a container without a mount namespace (its mounts live on the host),
 * and user namespaces. Real containers (root), a private --root, and counts
 * before and after that prove nothing is left behind.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HOST_ROOTFS, ROOT, mountCount, stateEntries, tempRoot } from '../../test/helpers.ts';
import type { OciConfig } from './config.ts';

const BIN = path.join(ROOT, 'bin', 'tiny-runc');
const root = tempRoot('oci-ns');
const dirs: string[] = [root];
const started: ChildProcess[] = [];

/** tiny-runc with stdout/stderr in files, as runtime-tools runs it (the container inherits them). */
function runc(args: string[]) {
  const out = path.join(root, '.out');
  const err = path.join(root, '.err');
  const fds = [fs.openSync(out, 'w'), fs.openSync(err, 'w')] as const;
  const r = spawnSync(BIN, ['--root', root, ...args], { timeout: 60_000, stdio: ['ignore', fds[0], fds[1]] });
  fs.closeSync(fds[0]);
  fs.closeSync(fds[1]);
  return { code: r.status ?? 128, stdout: fs.readFileSync(out, 'utf8'), stderr: fs.readFileSync(err, 'utf8') };
}

function state(id: string): { status: string; pid: number } {
  const r = runc(['state', id]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
}

async function waitFor(id: string, status: string): Promise<void> {
  for (let i = 0; i < 200 && state(id).status !== status; i++) await new Promise((r) => setTimeout(r, 50));
  expect(state(id).status).toBe(status);
}

async function until(what: string, ok: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 50));
  expect(ok(), what).toBe(true);
}

function bundle(edit: (c: OciConfig) => void): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tdk-nsbundle-'));
  dirs.push(dir);
  expect(runc(['spec', '--bundle', dir]).code).toBe(0);
  const file = path.join(dir, 'config.json');
  const config = JSON.parse(fs.readFileSync(file, 'utf8')) as OciConfig;
  config.root = { path: HOST_ROOTFS, readonly: true };
  edit(config);
  fs.writeFileSync(file, JSON.stringify(config, null, 2));
  return dir;
}

/** Lines of the host's mountinfo that mention a path (a leaked mount would). */
function hostMountsOf(p: string): string[] {
  return fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => l.includes(p));
}

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
