/**
 * Real containers, as root: what a user sees of the security defaults, and
 * that --privileged or the matching --cap-add opens each door again.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, mountCount, stateEntries, tempRoot } from '../../test/helpers.ts';
import { rootfsWithPrograms, type TestRootfs } from '../../test/security/fixture.ts';
import { CAPABILITIES } from './capabilities.ts';

// One shell script probes everything, so each mode costs one container.
const PROBE = [
  'grep -E "^(Cap(Eff|Prm|Bnd|Inh|Amb)|NoNewPrivs|Seccomp):" /proc/self/status | tr -d "\\t" | sed "s/:/=/"',
  'mount -t tmpfs x /mnt 2>/dev/null && echo mount=ok || echo mount=fail',
  // kernel.domainname is per UTS namespace, so even a privileged write harms nothing
  '(echo tdk > /proc/sys/kernel/domainname) 2>/dev/null && echo sysctl=ok || echo sysctl=fail',
  // not every kernel has sysrq; write back its own value so the host is unchanged
  'if [ -e /proc/sys/kernel/sysrq ]; then (cat /proc/sys/kernel/sysrq > /proc/sys/kernel/sysrq) 2>/dev/null && echo sysrq=ok || echo sysrq=fail; else echo sysrq=absent; fi',
  'echo timer_list=$(wc -c < /proc/timer_list)',
  'echo keys=$(wc -c < /proc/keys)',
  'echo keys_masked=$(grep -c " /proc/keys " /proc/self/mountinfo)',
  'echo firmware=$(ls -A /sys/firmware | wc -l)',
  'unshare -n true 2>/dev/null && echo unshare=ok || echo unshare=fail',
  '/usr/local/bin/keyctl',
  'ip link add tdk-a type veth peer name tdk-b 2>/dev/null && echo iplink=ok || echo iplink=fail',
].join('\n');

let fsx: TestRootfs;
let root: string;

function probe(...flags: string[]): Record<string, string> {
  const r = cli(root, ['run', '--rm', '--rootfs', fsx.dir, ...flags, 'sh', '-c', PROBE]);
  expect(r.stderr.split('\n').filter((l) => l.startsWith('tiny-docker')), r.stderr).toEqual([]);
  expect(r.code, r.stderr).toBe(0);
  return Object.fromEntries(r.stdout.trim().split('\n').map((l) => l.split('=', 2) as [string, string]));
}

beforeAll(() => {
  fsx = rootfsWithPrograms({ keyctl: 'test/security/keyctl.c', 'seccomp-probe': 'test/security/seccomp-probe.c' });
  root = tempRoot('security');
});

afterAll(() => {
  fsx?.remove();
  fs.rmSync(root, { recursive: true, force: true });
});

describe('a default container', () => {
  let p: Record<string, string>;
  beforeAll(() => {
    p = probe();
  });

  it("has exactly Docker's 14 capabilities, and none to inherit", () => {
    expect(p.CapEff).toBe('00000000a80425fb');
    expect(p.CapPrm).toBe('00000000a80425fb');
    expect(p.CapBnd).toBe('00000000a80425fb');
    expect(p.CapInh).toBe('0000000000000000');
    expect(p.CapAmb).toBe('0000000000000000');
  });

  it('runs under a seccomp filter, without no_new_privs (Docker\'s default)', () => {
    expect(p.Seccomp).toBe('2');
    expect(p.NoNewPrivs).toBe('0');
  });

  it('cannot mount, write sysctls, make namespaces, use the keyring or add links', () => {
    expect(p.mount).toBe('fail');
    expect(p.sysctl).toBe('fail');
    expect(['fail', 'absent']).toContain(p.sysrq);
    expect(p.unshare).toBe('fail');
    expect(p.keyctl).toBe('EPERM');
    expect(p.iplink).toBe('fail');
  });

  it('sees /proc/timer_list and /proc/keys as empty (masked with /dev/null)', () => {
    expect(p.timer_list).toBe('0');
    expect(p.keys).toBe('0');
    expect(p.keys_masked).toBe('1');
  });

  it('sees /sys/firmware as an empty directory (a read-only tmpfs over it)', () => {
    expect(p.firmware).toBe('0');
  });
});

describe('the seccomp filter, as the real kernel applies it', () => {
  const probeSeccomp = (...flags: string[]) => {
    const r = cli(root, ['run', '--rm', '--rootfs', fsx.dir, ...flags, '/usr/local/bin/seccomp-probe']);
    expect(r.code, r.stderr).toBe(0);
    return Object.fromEntries(r.stdout.trim().split('\n').map((l) => l.split('=', 2) as [string, string]));
  };

  it('refuses clone with a namespace flag, allows a plain fork, answers clone3 with ENOSYS', () => {
    const p = probeSeccomp();
    expect(p.clone_newuts).toBe('EPERM');
    expect(p.clone_fork).toBe('ok');
    expect(p.clone3).toBe('ENOSYS');
  });

  it('refuses ioctl(TIOCSTI), also with junk in the high 32 bits, and lets other ioctls through', () => {
    const p = probeSeccomp();
    expect(p.tiocsti).toBe('EPERM');
    expect(p.tiocsti_hi).toBe('EPERM');
    expect(p.tcgets).not.toBe('EPERM'); // stdin is not a terminal: ENOTTY from the kernel itself
  });

  it('the same calls get through with --privileged', () => {
    const p = probeSeccomp('--privileged');
    expect(p.clone_newuts).toBe('ok');
    expect(p.tiocsti).not.toBe('EPERM');
  });

  it.runIf(process.arch === 'x64')('kills a process that makes an x32-ABI syscall (exit 159 = SIGSYS)', () => {
    const r = cli(root, ['run', '--rm', '--rootfs', fsx.dir, '/usr/local/bin/seccomp-probe', 'x32']);
    expect(r.stdout).not.toContain('x32=');
    expect(r.code).toBe(128 + 31);
  });
});

describe('--privileged', () => {
  it('opens every door: all capabilities, no seccomp, no masked or read-only paths', () => {
    const p = probe('--privileged');
    expect(p.CapEff).toBe(p.CapBnd);
    expect(BigInt(`0x${p.CapEff}`) & 0xa80425fbn).toBe(0xa80425fbn);
    expect(BigInt(`0x${p.CapEff}`)).toBeGreaterThan(0xa80425fbn);
    expect(p.Seccomp).toBe('0');
    expect(p.mount).toBe('ok');
    expect(p.sysctl).toBe('ok');
    expect(['ok', 'absent']).toContain(p.sysrq);
    expect(Number(p.timer_list)).toBeGreaterThan(0);
    expect(p.keys_masked).toBe('0');
    expect(Number(p.firmware)).toBeGreaterThan(0);
    expect(p.unshare).toBe('ok');
    expect(p.keyctl).toBe('ok');
    expect(p.iplink).toBe('ok');
  });
});

describe('the matching --cap-add', () => {
  it('SYS_ADMIN allows mount and unshare (the seccomp profile follows the capabilities)', () => {
    const p = probe('--cap-add', 'sys_admin');
    expect(p.CapEff).toBe('00000000a82425fb');
    expect(p.mount).toBe('ok');
    expect(p.unshare).toBe('ok');
    expect(p.keyctl).toBe('EPERM'); // seccomp still refuses the keyring
    expect(p.sysctl).toBe('fail'); // /proc/sys stays read-only, as in Docker
  });

  it('NET_ADMIN allows ip link add', () => {
    const p = probe('--cap-add', 'CAP_NET_ADMIN');
    expect(p.iplink).toBe('ok');
    expect(p.mount).toBe('fail');
  });

  it('seccomp=unconfined allows keyctl while the capabilities stay the default 14', () => {
    const p = probe('--security-opt', 'seccomp=unconfined');
    expect(p.keyctl).toBe('ok');
    expect(p.Seccomp).toBe('0');
    expect(p.CapEff).toBe('00000000a80425fb');
  });

  it('--cap-drop ALL leaves no capability at all', () => {
    const p = probe('--cap-drop', 'ALL');
    expect(p.CapEff).toBe('0000000000000000');
    expect(p.CapBnd).toBe('0000000000000000');
  });
});

describe('--security-opt', () => {
  it('no-new-privileges sets NoNewPrivs and still installs the filter', () => {
    const p = probe('--security-opt', 'no-new-privileges');
    expect(p.NoNewPrivs).toBe('1');
    expect(p.Seccomp).toBe('2');
    expect(p.CapEff).toBe('00000000a80425fb');
  });

  it('seccomp=PATH.json applies a Docker-format profile', () => {
    const file = path.join(root, 'no-mkdir.json');
    fs.writeFileSync(file, JSON.stringify({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO', errnoRet: 13 }] }));
    const r = cli(root, ['run', '--rm', '--rootfs', fsx.dir, '--security-opt', `seccomp=${file}`, 'sh', '-c', 'mkdir /made; /usr/local/bin/keyctl']);
    expect(r.stderr).toMatch(/Permission denied/);
    expect(r.stdout).toContain('keyctl=ok'); // this profile allows everything else
  });
});

describe('--read-only', () => {
  it('makes / read-only while /dev, /proc, /dev/shm and the /etc files stay writable', () => {
    const script = [
      'touch /newfile 2>/dev/null && echo root=rw || echo root=ro',
      'echo x > /dev/null && echo dev=ok',
      'touch /dev/shm/x && echo shm=ok',
      'echo 127.0.0.2 extra >> /etc/hosts && echo hosts=ok',
      'test -r /proc/1/status && echo proc=ok',
    ].join('\n');
    const r = cli(root, ['run', '--rm', '--rootfs', fsx.dir, '--read-only', 'sh', '-c', script]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual(['root=ro', 'dev=ok', 'shm=ok', 'hosts=ok', 'proc=ok']);
    const rw = cli(root, ['run', '--rm', '--rootfs', fsx.dir, 'sh', '-c', 'touch /newfile && echo root=rw']);
    expect(rw.stdout.trim()).toBe('root=rw');
  });
});

describe('bad security flags', () => {
  const cases: [string, string[], () => void, RegExp][] = [
    ['an unknown capability', ['--cap-add', 'NOT_A_CAP'], () => undefined, /unknown capability: "NOT_A_CAP"/],
    ['a profile that is not JSON', ['--security-opt', 'seccomp=BAD'], () => fs.writeFileSync(path.join(root, 'bad.json'), '{ "defaultAction": '), /is not valid JSON/],
    ['a profile naming an unknown syscall', ['--security-opt', 'seccomp=TYPO'], () => fs.writeFileSync(path.join(root, 'typo.json'), '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["kexec_lod"],"action":"SCMP_ACT_ERRNO"}]}'), /unknown syscall "kexec_lod"/],
    ['an unknown --security-opt', ['--security-opt', 'apparmor=foo'], () => undefined, /invalid --security-opt "apparmor=foo"/],
  ];
  for (const [what, flags, setup, message] of cases) {
    it(`${what}: one line, exit 125, nothing left behind`, () => {
      setup();
      const args = flags.map((f) => f.replace('BAD', path.join(root, 'bad.json')).replace('TYPO', path.join(root, 'typo.json')));
      const before = mountCount();
      const r = cli(root, ['run', '--rm', '--rootfs', fsx.dir, ...args, 'true']);
      expect(r.code).toBe(125);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n').filter((l) => l.startsWith('tiny-docker:'))).toHaveLength(1);
      expect(stateEntries(root)).toEqual([]);
      expect(mountCount()).toBe(before);
    });
  }

  // Only where tiny-docker itself lacks a capability (this CI's sandbox has no CAP_SYS_RESOURCE).
  const bnd = BigInt(`0x${/^CapBnd:\s*([0-9a-f]+)/m.exec(fs.readFileSync('/proc/self/status', 'utf8'))![1]}`);
  const lacking = [...Array(41).keys()].find((n) => !(bnd & (1n << BigInt(n))));
  it.runIf(lacking !== undefined)('a capability tiny-docker itself lacks: one line, exit 125', () => {
    const name = Object.entries(CAPABILITIES).find(([, n]) => n === lacking)![0];
    const r = cli(root, ['run', '--rm', '--rootfs', fsx.dir, '--cap-add', name, 'true']);
    expect(r.code).toBe(125);
    expect(r.stderr).toContain(`cannot grant ${name}`);
    expect(stateEntries(root)).toEqual([]);
  });
});
