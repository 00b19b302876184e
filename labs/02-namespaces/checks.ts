/**
 * Lab 02 — namespaces: what a process can see. One unshare(2) in the
 * namespace window gives the container its own PIDs, hostname, IPC
 * objects, mounts and network.
 */
import * as fs from 'node:fs';
import { defineLab, expectExit, expectOutput, fail } from '../../harness/lab-api.ts';

const KINDS = ['pid', 'uts', 'ipc', 'mnt', 'net'] as const;

export default defineLab({
  id: '02-namespaces',
  title: 'Namespaces: what a process can see',
  idea: 'unshare(2) gives the container its own view of PIDs, hostname, IPC, mounts and network; the kernel names each view by an inode.',
  checks: [
    {
      id: 'pid-1',
      title: 'the command is PID 1 in its own PID namespace',
      runs: "tiny-docker run sh -c 'echo $$'",
      expect: 'prints 1',
      hint: 'CLONE_NEWPID in cloneFlags() (runtime/namespaces.ts): the first process spawned after unshare(CLONE_NEWPID) is PID 1',
      async verify(t) {
        expectOutput(await t.sh('echo $$'), '1');
      },
    },
    {
      id: 'few-processes',
      title: 'ps inside sees only the container',
      runs: 'tiny-docker run ps -e -o pid=',
      expect: 'exactly one process (ps itself, PID 1)',
      hint: 'a new PID namespace, and /proc mounted from inside it (tiny-init does that): the host processes vanish',
      async verify(t) {
        const r = await t.cli(['run', '--rootfs', t.image, 'ps', '-e', '-o', 'pid=']);
        expectExit(r, 0);
        const pids = r.stdout.split('\n').map((l) => l.trim()).filter(Boolean);
        if (pids.join(',') !== '1') fail(`ps saw PIDs ${pids.slice(0, 8).join(', ')}${pids.length > 8 ? '…' : ''}; expected only 1`);
      },
    },
    {
      id: 'hostname',
      title: 'the hostname is the one given with --hostname',
      runs: 'tiny-docker run --hostname lab02-box hostname',
      expect: 'prints lab02-box, and the host keeps its own name',
      hint: 'CLONE_NEWUTS, then sethostname(spec.hostname) inside the window (runtime/container.ts)',
      async verify(t) {
        const before = fs.readFileSync('/proc/sys/kernel/hostname', 'utf8').trim();
        expectOutput(await t.cli(['run', '--rootfs', t.image, '--hostname', 'lab02-box', 'hostname']), 'lab02-box');
        const after = fs.readFileSync('/proc/sys/kernel/hostname', 'utf8').trim();
        if (after !== before) fail(`the HOST's hostname changed from ${before} to ${after}: sethostname ran outside a new UTS namespace`);
      },
    },
    {
      id: 'ns-inodes',
      title: 'every namespace inode differs from the host (pid, uts, ipc, mnt, net)',
      runs: 'tiny-docker run readlink /proc/self/ns/pid /proc/self/ns/uts …',
      expect: 'five links like pid:[4026532…], none equal to the host’s',
      hint: 'compare with `readlink /proc/self/ns/*` on the host: a kind that matches was not unshared (check cloneFlags)',
      async verify(t) {
        const r = await t.cli(['run', '--rootfs', t.image, 'readlink', ...KINDS.map((k) => `/proc/self/ns/${k}`)]);
        expectExit(r, 0);
        const inside = r.stdout.trim().split('\n');
        const same = KINDS.filter((k, i) => inside[i] === fs.readlinkSync(`/proc/self/ns/${k}`));
        if (inside.length !== KINDS.length) fail(`expected ${KINDS.length} namespace links, got ${JSON.stringify(r.stdout.trim())}`);
        if (same.length) fail(`shared with the host: ${same.join(', ')} (same inode inside and outside)`);
      },
    },
    {
      id: 'mount-private',
      title: 'a mount made inside is invisible on the host',
      runs: "tiny-docker run sh -c 'mount -t tmpfs lab02 /mnt && grep lab02 /proc/self/mounts'",
      expect: 'the tmpfs shows inside; /proc/self/mounts on the host has no lab02',
      hint: 'CLONE_NEWNS plus mount(NULL, "/", NULL, MS_REC|MS_PRIVATE) in makeMountsPrivate() (runtime/rootfs/mounts.ts)',
      // mounting needs CAP_SYS_ADMIN: with the security feature's defaults that is gone, so ask for it
      async verify(t) {
        const r = await t.sh('mount -t tmpfs lab02 /mnt && grep -c lab02 /proc/self/mounts', ['--privileged']);
        expectOutput(r, '1');
        if (fs.readFileSync('/proc/self/mounts', 'utf8').includes('lab02')) fail('the host sees the container’s tmpfs "lab02": mounts propagate (make / MS_REC|MS_PRIVATE first)');
      },
    },
    {
      id: 'ipc',
      title: 'System V IPC objects are private (a host segment is invisible inside)',
      runs: 'ipcmk -M 4096 (host); tiny-docker run cat /proc/sysvipc/shm',
      expect: 'the container’s /proc/sysvipc/shm lists no segment at all',
      hint: 'CLONE_NEWIPC gives the container its own shared-memory, semaphore and message-queue tables',
      requires: [{ hostTool: 'ipcmk' }],
      async verify(t) {
        const made = await t.host('ipcmk', ['-M', '4096']);
        const id = /(\d+)\s*$/.exec(made.stdout.trim())?.[1];
        if (made.code !== 0 || !id) fail(`could not make a host segment with ipcmk: ${made.stderr.trim()}`);
        try {
          const r = await t.cli(['run', '--rootfs', t.image, 'cat', '/proc/sysvipc/shm']);
          expectExit(r, 0);
          const rows = r.stdout.trim().split('\n').slice(1).filter((l) => l.trim() !== '');
          if (rows.length) fail(`the container sees ${rows.length} shared memory segment(s) of the host, e.g. ${JSON.stringify(rows[0]!.trim().slice(0, 60))}`);
        } finally {
          await t.host('ipcrm', ['-m', id]);
        }
      },
    },
    {
      id: 'net-isolated',
      title: '--net none: only the loopback interface',
      runs: 'tiny-docker run --net none ls /sys/class/net',
      expect: 'prints lo',
      hint: 'CLONE_NEWNET: a fresh network namespace has only lo (and it is down)',
      async verify(t) {
        expectOutput(await t.cli(['run', '--rootfs', t.image, '--net', 'none', 'ls', '/sys/class/net']), 'lo');
      },
    },
  ],
});
