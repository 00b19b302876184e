/**
 * The runtime core, in-process: what a container looks like from inside,
 * and that the host is exactly as before afterwards.
 */
import { afterAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runContainer } from './container.ts';
import { Store } from './store.ts';
import { securityConfigFromFlags } from './security/config.ts';
import { collect, hostNamespaces, makeSpec, mountCount, stateEntries, tempRoot, HOST_ROOTFS } from '../test/helpers.ts';

const root = tempRoot('core');
const store = new Store(root);
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

async function sh(script: string, over = {}) {
  const c = await runContainer(makeSpec(['/bin/sh', '-c', script], over), { store, stdio: ['ignore', 'pipe', 'pipe'] });
  const [stdout, stderr, status] = await Promise.all([collect(c.stdout), collect(c.stderr), c.wait()]);
  return { stdout, stderr, code: status.exitCode };
}

describe('inside a container', () => {
  it('the command is PID 1', async () => {
    expect(await sh('echo $$')).toEqual({ stdout: '1\n', stderr: '', code: 0 });
  });

  it('hostname is the given one and the host keeps its own', async () => {
    const before = fs.readFileSync('/proc/sys/kernel/hostname', 'utf8');
    expect((await sh('hostname', { hostname: 'lab-box' })).stdout.trim()).toBe('lab-box');
    expect(fs.readFileSync('/proc/sys/kernel/hostname', 'utf8')).toBe(before);
  });

  it('ls / shows the rootfs, not the host', async () => {
    const ls = (await sh('ls /')).stdout.split('\n').filter(Boolean).sort();
    const expected = fs.readdirSync(HOST_ROOTFS).filter((e) => !e.startsWith('.')).sort();
    expect(ls).toEqual(expected);
    expect(ls).not.toContain('work');
  });

  it('ps shows only the container processes', async () => {
    const out = (await sh('ps -e -o pid=,comm=')).stdout.trim().split('\n').map((l) => l.trim());
    expect(out).toEqual(['1 sh', expect.stringMatching(/^\d+ ps$/)]);
  });

  it('every namespace differs from the host', async () => {
    const host = hostNamespaces();
    const out = (await sh('for n in pid uts ipc net mnt; do echo $n $(readlink /proc/self/ns/$n); done')).stdout;
    for (const line of out.trim().split('\n')) {
      const [kind, id] = line.split(' ');
      expect(id, kind).not.toBe(host[kind!]);
    }
  });

  it('a mount made inside is invisible outside', async () => {
    const before = mountCount();
    // mounting needs CAP_SYS_ADMIN and a seccomp filter that allows it: --privileged
    const privileged = { features: { security: securityConfigFromFlags({ privileged: true }) } };
    const out = await sh('mkdir -p /mnt/x && mount -t tmpfs inside-only /mnt/x && grep -c inside-only /proc/self/mounts', privileged);
    expect(out.stdout.trim()).toBe('1');
    expect(fs.readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain('inside-only');
    expect(mountCount()).toBe(before);
  });

  it('a file written in the container does not appear in the prepared rootfs', async () => {
    const r = await sh('echo scribble > /etc/written-inside && cat /etc/written-inside');
    expect(r.stdout.trim()).toBe('scribble');
    expect(fs.existsSync(path.join(HOST_ROOTFS, 'etc/written-inside'))).toBe(false);
  });

  it('PID 1 runs in its own session and process group', async () => {
    const out = (await sh('ps -o pid=,pgid=,sid= -p 1')).stdout.trim().split(/\s+/);
    expect(out).toEqual(['1', '1', '1']);
  });

  it('/dev has only the safe devices, and /sys is read-only', async () => {
    const out = await sh('ls /dev | tr "\\n" " "; echo; touch /sys/x 2>&1 || echo sys-ro');
    expect(out.stdout).toMatch(/full .*null .*pts .*random .*shm .*tty .*urandom .*zero/);
    expect(out.stdout).not.toMatch(/\bsda\b|\bvda\b/);
    expect(out.stdout).toContain('sys-ro');
  });

  it('the environment has PATH, HOSTNAME and HOME', async () => {
    const out = (await sh('echo $PATH; echo $HOSTNAME; echo $HOME', { hostname: 'envbox' })).stdout.trim().split('\n');
    expect(out).toEqual(['/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'envbox', '/root']);
  });

  it('the working directory is created when missing, like Docker', async () => {
    expect((await sh('pwd', { workdir: '/srv/app' })).stdout.trim()).toBe('/srv/app');
  });

  it('--chroot mode (teaching) still isolates pid and hostname', async () => {
    const out = await sh('echo $$ $(hostname)', { isolation: 'chroot', hostname: 'chrooted' });
    expect(out.stdout.trim()).toBe('1 chrooted');
  });

  it('bind mode uses the directory itself', async () => {
    const out = await sh('ls /usr/bin/sh && echo $$', { rootfsMode: 'bind' });
    expect(out.stdout.trim().split('\n').pop()).toBe('1');
  });
});

describe('exit codes', () => {
  it('run returns the command exit code', async () => {
    expect((await sh('exit 42')).code).toBe(42);
  });

  it('a container whose PID 1 is killed by SIGKILL from the host gives 137', async () => {
    const c = await runContainer(makeSpec(['/bin/sleep', '30']), { store, stdio: ['ignore', 'ignore', 'ignore'] });
    process.kill(c.pid, 'SIGKILL');
    expect((await c.wait()).exitCode).toBe(137);
  });

  it('SIGKILL sent from inside does not kill PID 1 (the kernel protects a namespace init)', async () => {
    const r = await sh('kill -9 $$; echo still here');
    expect(r.stdout.trim()).toBe('still here');
    expect(r.code).toBe(0);
  });

  it('a missing command fails with 127 and Docker\'s message, leaving no state', async () => {
    const before = stateEntries(root).length;
    await expect(runContainer(makeSpec(['no-such-cmd']), { store, stdio: ['ignore', 'ignore', 'ignore'] })).rejects.toMatchObject({
      exitCode: 127,
      message: 'exec: "no-such-cmd": executable file not found in $PATH',
    });
    expect(stateEntries(root).length).toBe(before);
  });

  it('a non-executable file fails with 126', async () => {
    await expect(runContainer(makeSpec(['/etc/passwd']), { store, stdio: ['ignore', 'ignore', 'ignore'] })).rejects.toMatchObject({
      exitCode: 126,
      message: 'exec: "/etc/passwd": permission denied',
    });
  });
});

describe('leaks', () => {
  it('a container leaves the host namespaces, mounts and state root as before', async () => {
    const ns = hostNamespaces();
    const mounts = mountCount();
    const entries = stateEntries(root).length;
    for (let i = 0; i < 5; i++) expect((await sh('true')).code).toBe(0);
    expect(hostNamespaces()).toEqual(ns);
    expect(mountCount()).toBe(mounts);
    expect(stateEntries(root).length).toBe(entries);
  });
});
