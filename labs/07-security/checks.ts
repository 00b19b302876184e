/**
 * Lab 07 — security: root inside is not root outside, once capabilities,
 * seccomp, no_new_privs and masked paths have taken most of its power.
 */
import * as fs from 'node:fs';
import { defineLab, expectExit, expectFailure, expectMatch, expectOutput, fail } from '../../harness/lab-api.ts';

/** Docker's default 14: CHOWN DAC_OVERRIDE FOWNER FSETID KILL SETGID SETUID SETPCAP NET_BIND_SERVICE NET_RAW SYS_CHROOT MKNOD AUDIT_WRITE SETFCAP */
export const DEFAULT_CAPS = '00000000a80425fb';

/** What --privileged can keep at most: the capabilities the caller itself has (CapBnd of the host process). */
function allCaps(): string {
  const m = /CapBnd:\s+([0-9a-f]+)/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
  return m?.[1] ?? '000001ffffffffff';
}

export default defineLab({
  id: '07-security',
  title: 'Security: capabilities, seccomp, masked paths',
  idea: 'Root in a container keeps only 14 capabilities, meets a seccomp filter, and finds the dangerous parts of /proc masked or read-only.',
  requires: [{ feature: 'security' }],
  checks: [
    {
      id: 'cap-eff',
      title: `default capabilities: CapEff ${DEFAULT_CAPS} (Docker’s 14)`,
      runs: 'tiny-docker run grep CapEff /proc/self/status',
      expect: `CapEff:\t${DEFAULT_CAPS}`,
      hint: 'drop everything else from the bounding set (PR_CAPBSET_DROP), then capset() effective/permitted/inheritable, and clear ambient',
      async verify(t) {
        expectMatch(await t.cli(['run', '--rootfs', t.image, 'grep', 'CapEff', '/proc/self/status']), new RegExp(`CapEff:\\s+${DEFAULT_CAPS}`), `CapEff ${DEFAULT_CAPS}`);
      },
    },
    {
      id: 'cap-bnd',
      title: `the bounding set is the same 14: CapBnd ${DEFAULT_CAPS}`,
      runs: 'tiny-docker run grep CapBnd /proc/self/status',
      expect: `CapBnd:\t${DEFAULT_CAPS}`,
      hint: 'without dropping the bounding set, a setuid binary could regain what you removed',
      async verify(t) {
        expectMatch(await t.cli(['run', '--rootfs', t.image, 'grep', 'CapBnd', '/proc/self/status']), new RegExp(`CapBnd:\\s+${DEFAULT_CAPS}`), `CapBnd ${DEFAULT_CAPS}`);
      },
    },
    {
      id: 'no-mount',
      title: 'mount -t tmpfs fails in a default container',
      runs: 'tiny-docker run mount -t tmpfs x /mnt',
      expect: 'a non-zero exit (no CAP_SYS_ADMIN, and seccomp refuses mount)',
      hint: 'CAP_SYS_ADMIN is not among the 14',
      async verify(t) {
        expectFailure(await t.cli(['run', '--rootfs', t.image, 'mount', '-t', 'tmpfs', 'x', '/mnt']), 'mount');
      },
    },
    {
      id: 'proc-sys-ro',
      title: '/proc/sys is read-only: echo 1 > /proc/sys/kernel/sysrq fails',
      runs: "tiny-docker run sh -c 'echo 1 > /proc/sys/kernel/sysrq'",
      expect: 'a non-zero exit',
      hint: 'bind /proc/sys over itself, then remount it MS_RDONLY (readonly paths: /proc/sys, /proc/sysrq-trigger, /proc/irq, /proc/bus, /proc/fs)',
      async verify(t) {
        expectFailure(await t.sh('echo 1 > /proc/sys/kernel/sysrq'), 'writing /proc/sys/kernel/sysrq');
      },
    },
    {
      id: 'masked',
      title: '/proc/keys and /proc/timer_list read as empty',
      runs: 'tiny-docker run sh -c "cat /proc/keys /proc/timer_list | wc -c"',
      expect: '0',
      hint: 'masked paths: bind /dev/null over a file, an empty read-only tmpfs over a directory',
      async verify(t) {
        expectOutput(await t.sh('cat /proc/keys /proc/timer_list 2>/dev/null | wc -c'), '0');
      },
    },
    {
      id: 'seccomp',
      title: 'a seccomp filter is installed (Seccomp: 2) and unshare is refused',
      runs: "tiny-docker run sh -c 'grep Seccomp: /proc/self/status; unshare -n true'",
      expect: 'Seccomp: 2, and unshare fails',
      hint: 'tiny-init installs the BPF program as its very last step before execve (PR_SET_SECCOMP / seccomp(2))',
      async verify(t) {
        const r = await t.sh('grep Seccomp: /proc/self/status; unshare -n true && echo unshare-worked; true');
        expectMatch(r, /Seccomp:\s+2/, 'Seccomp: 2 (filter mode)');
        if (r.stdout.includes('unshare-worked')) fail('unshare -n succeeded inside the container');
      },
    },
    {
      id: 'unconfined',
      title: '--security-opt seccomp=unconfined removes the filter',
      runs: 'tiny-docker run --security-opt seccomp=unconfined grep Seccomp: /proc/self/status',
      expect: 'Seccomp: 0',
      hint: 'unconfined: no SECCOMP step in the init program',
      async verify(t) {
        expectMatch(await t.cli(['run', '--rootfs', t.image, '--security-opt', 'seccomp=unconfined', 'grep', 'Seccomp:', '/proc/self/status']), /Seccomp:\s+0/, 'Seccomp: 0');
      },
    },
    {
      id: 'no-new-privs',
      title: '--security-opt no-new-privileges sets NoNewPrivs: 1',
      runs: 'tiny-docker run --security-opt no-new-privileges grep NoNewPrivs /proc/self/status',
      expect: 'NoNewPrivs: 1',
      hint: 'prctl(PR_SET_NO_NEW_PRIVS, 1): setuid binaries can no longer raise privileges',
      async verify(t) {
        expectMatch(await t.cli(['run', '--rootfs', t.image, '--security-opt', 'no-new-privileges', 'grep', 'NoNewPrivs', '/proc/self/status']), /NoNewPrivs:\s+1/, 'NoNewPrivs: 1');
      },
    },
    {
      id: 'cap-add',
      title: '--cap-add NET_ADMIN allows ip link add; the default does not',
      runs: 'tiny-docker run --net none [--cap-add NET_ADMIN] ip link add lab07a type veth peer name lab07b',
      expect: 'fails by default, works with --cap-add NET_ADMIN',
      hint: '--cap-add puts the capability back into every set (bounding included)',
      async verify(t) {
        const args = ['--net', 'none', 'ip', 'link', 'add', 'lab07a', 'type', 'veth', 'peer', 'name', 'lab07b'];
        expectFailure(await t.cli(['run', '--rootfs', t.image, ...args]), 'ip link add without NET_ADMIN');
        expectExit(await t.cli(['run', '--rootfs', t.image, '--cap-add', 'NET_ADMIN', ...args]), 0);
      },
    },
    {
      id: 'privileged',
      title: '--privileged keeps every capability',
      runs: 'tiny-docker run --privileged grep CapEff /proc/self/status',
      expect: 'CapEff: every capability the caller has (the host’s own CapBnd)',
      hint: '--privileged: no capability drop, no seccomp, no masked paths',
      async verify(t) {
        expectMatch(await t.cli(['run', '--rootfs', t.image, '--privileged', 'grep', 'CapEff', '/proc/self/status']), new RegExp(`CapEff:\\s+${allCaps()}`), `CapEff ${allCaps()}`);
      },
    },
    {
      id: 'bad-cap',
      title: '--cap-add NOT_A_CAP is refused with exit 125',
      runs: 'tiny-docker run --cap-add NOT_A_CAP true',
      expect: 'exit 125 and an error naming NOT_A_CAP',
      hint: 'check capability names against the kernel’s list before creating anything',
      async verify(t) {
        const r = await t.cli(['run', '--rootfs', t.image, '--cap-add', 'NOT_A_CAP', 'true']);
        expectExit(r, 125);
        if (!r.stderr.includes('NOT_A_CAP')) fail(`the error does not name NOT_A_CAP: ${JSON.stringify(r.stderr.trim())}`);
      },
    },
  ],
});
