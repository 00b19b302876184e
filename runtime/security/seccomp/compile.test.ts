import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../errors.ts';
import { DEFAULT_CAPABILITIES } from '../capabilities.ts';
import { MAX_INSNS, RET, disassemble } from './bpf.ts';
import { runFilter } from './bpf-interpreter.test-helper.ts';
import { AUDIT_ARCH, compileProfile, ranges, type CompileOptions, type SeccompArch } from './compile.ts';
import { defaultProfile } from './default-profile.ts';
import { parseProfile, type CompareOp, type SeccompProfile } from './profile.ts';
import { SYSCALLS_AARCH64 } from './syscalls-aarch64.ts';
import { SYSCALLS_X86_64 } from './syscalls-x86_64.ts';

const TABLE = { x86_64: SYSCALLS_X86_64, aarch64: SYSCALLS_AARCH64 };
const EPERM = (RET.ERRNO | 1) >>> 0;
const ENOSYS = (RET.ERRNO | 38) >>> 0;
const CLONE_NEWNET = 0x40000000n;
const THREAD_FLAGS = 0x3d0f00n; // CLONE_VM|FS|FILES|SIGHAND|THREAD|SYSVSEM|SETTLS|PARENT_SETTID|CHILD_CLEARTID
const TIOCSTI = 0x5412n;

function filter(arch: SeccompArch, caps: CompileOptions['caps'] = DEFAULT_CAPABILITIES, profile: SeccompProfile = defaultProfile(), kernel = '6.1.0') {
  const { program } = compileProfile(profile, { arch, caps, kernel });
  return (name: string, args: bigint[] = [], overrides: { arch?: number; nr?: number } = {}) => {
    const nr = overrides.nr ?? TABLE[arch][name];
    if (nr === undefined) throw new Error(`no ${name} on ${arch}`);
    return runFilter(program, { nr, arch: overrides.arch ?? AUDIT_ARCH[arch], args });
  };
}

describe('the default seccomp profile, compiled', () => {
  for (const arch of ['x86_64', 'aarch64'] as const) {
    describe(arch, () => {
      const check = filter(arch);
      it('allows ordinary syscalls', () => {
        for (const n of ['read', 'write', 'openat', 'mmap', 'futex', 'execve', 'exit_group', 'capset', 'prctl', 'chroot', 'socket']) {
          expect(check(n), n).toBe(RET.ALLOW);
        }
      });
      it('refuses the dangerous ones with EPERM', () => {
        for (const n of ['keyctl', 'add_key', 'request_key', 'kexec_load', 'kexec_file_load', 'init_module', 'finit_module', 'delete_module',
          'bpf', 'perf_event_open', 'userfaultfd', 'mount', 'umount2', 'pivot_root', 'unshare', 'setns', 'open_by_handle_at', 'io_uring_setup']) {
          expect(check(n), n).toBe(EPERM);
        }
      });
      it('allows clone for threads and fork but not with a namespace flag', () => {
        expect(check('clone', [THREAD_FLAGS])).toBe(RET.ALLOW);
        expect(check('clone', [17n])).toBe(RET.ALLOW); // fork(): SIGCHLD
        expect(check('clone', [THREAD_FLAGS | CLONE_NEWNET])).toBe(EPERM);
        expect(check('clone', [0x20000n | 17n])).toBe(EPERM); // CLONE_NEWNS
      });
      it('answers clone3 with ENOSYS, so libc falls back to clone', () => {
        expect(check('clone3')).toBe(ENOSYS);
      });
      it('refuses ioctl(TIOCSTI) even with garbage in the high 32 bits, and allows other ioctls', () => {
        expect(check('ioctl', [0n, TIOCSTI])).toBe(EPERM);
        expect(check('ioctl', [0n, TIOCSTI | (1n << 32n)])).toBe(EPERM);
        expect(check('ioctl', [0n, 0x5401n])).toBe(RET.ALLOW); // TCGETS
      });
      it('kills a process that calls with another ABI (i386: arch 0x40000003)', () => {
        expect(check('read', [], { arch: 0x40000003 })).toBe(RET.KILL_PROCESS);
      });
      it('allows ptrace on kernels from 4.8 only', () => {
        expect(check('ptrace')).toBe(RET.ALLOW);
        expect(filter(arch, DEFAULT_CAPABILITIES, defaultProfile(), '4.4.0')('ptrace')).toBe(EPERM);
      });
      it('opens mount, unshare and namespace clones with CAP_SYS_ADMIN (--cap-add SYS_ADMIN)', () => {
        const admin = filter(arch, [...DEFAULT_CAPABILITIES, 'CAP_SYS_ADMIN']);
        expect(admin('mount')).toBe(RET.ALLOW);
        expect(admin('unshare')).toBe(RET.ALLOW);
        expect(admin('clone', [CLONE_NEWNET])).toBe(RET.ALLOW);
        expect(admin('clone3')).toBe(RET.ALLOW);
        expect(admin('keyctl')).toBe(EPERM); // never, short of --privileged
      });
      it('stays well under the kernel limit of 4096 instructions', () => {
        const { program } = compileProfile(defaultProfile(), { arch, caps: 'ALL', kernel: '6.1' });
        expect(program.length / 8).toBeLessThan(MAX_INSNS / 4);
      });
    });
  }

  it('on x86_64, refuses x32 syscalls (bit 30 set), which would dodge a rule by number', () => {
    const check = filter('x86_64');
    expect(check('read', [], { nr: 0x40000000 | 0 })).toBe(RET.KILL_PROCESS);
    expect(check('keyctl', [], { nr: 0x40000000 | 250 })).toBe(RET.KILL_PROCESS);
  });

  it('the x86_64 and aarch64 programs check their own AUDIT_ARCH', () => {
    expect(filter('aarch64')('read', [], { arch: AUDIT_ARCH.x86_64 })).toBe(RET.KILL_PROCESS);
    expect(filter('x86_64')('read', [], { arch: AUDIT_ARCH.aarch64 })).toBe(RET.KILL_PROCESS);
    const text = disassemble(compileProfile(defaultProfile(), { arch: 'aarch64', caps: [], kernel: '6.1' }).program).join('\n');
    expect(text).toContain('jeq 0xc00000b7');
  });
});

describe('64-bit argument comparisons, done as two 32-bit halves', () => {
  const interesting = [0n, 1n, 0xffffffffn, 0x100000000n, 0x100000001n, 0xfffffffffn, 0x1fffffffeffffn, 0x1fffffffffffffn] // up to 2^53-1: JSON numbers cannot say more;
  const truth: Record<CompareOp, (a: bigint, v: bigint, v2: bigint) => boolean> = {
    SCMP_CMP_EQ: (a, v) => a === v,
    SCMP_CMP_NE: (a, v) => a !== v,
    SCMP_CMP_LT: (a, v) => a < v,
    SCMP_CMP_LE: (a, v) => a <= v,
    SCMP_CMP_GT: (a, v) => a > v,
    SCMP_CMP_GE: (a, v) => a >= v,
    SCMP_CMP_MASKED_EQ: (a, v, v2) => (a & v) === v2,
  };
  for (const op of Object.keys(truth) as CompareOp[]) {
    it(`${op} agrees with 64-bit arithmetic`, () => {
      for (const v of interesting) {
        const v2 = v & 0xf0000000fn;
        const profile: SeccompProfile = {
          defaultAction: 'SCMP_ACT_ERRNO',
          syscalls: [{ names: ['getpid'], action: 'SCMP_ACT_ALLOW', args: [{ index: 2, op, value: Number(v), valueTwo: Number(v2) }] }],
        };
        const check = filter('x86_64', [], profile);
        for (const a of [...interesting, v - 1n, v + 1n].filter((x) => x >= 0n)) {
          const want = truth[op](a, v, v2) ? RET.ALLOW : EPERM;
          expect(check('getpid', [0n, 0n, a]), `${a} ${op} ${v}`).toBe(want);
        }
      }
    });
  }
});

describe('profiles in Docker format', () => {
  it('rules for one syscall are tried in order and all args of a rule must hold', () => {
    const profile = parseProfile(
      JSON.stringify({
        defaultAction: 'SCMP_ACT_ALLOW',
        syscalls: [
          { names: ['kill'], action: 'SCMP_ACT_ERRNO', errnoRet: 13, args: [{ index: 0, value: 1, op: 'SCMP_CMP_EQ' }, { index: 1, value: 9, op: 'SCMP_CMP_EQ' }] },
          { names: ['kill'], action: 'SCMP_ACT_KILL_PROCESS', args: [{ index: 1, value: 19, op: 'SCMP_CMP_EQ' }] },
        ],
      }),
      'test.json',
    );
    const check = filter('x86_64', [], profile);
    expect(check('kill', [1n, 9n])).toBe((RET.ERRNO | 13) >>> 0);
    expect(check('kill', [2n, 9n])).toBe(RET.ALLOW);
    expect(check('kill', [2n, 19n])).toBe(RET.KILL_PROCESS);
    expect(check('mkdir')).toBe(RET.ALLOW);
  });

  it('a profile that is not JSON is a config error naming the file', () => {
    expect(() => parseProfile('{ not json', '/tmp/p.json')).toThrow(/seccomp profile \/tmp\/p.json is not valid JSON/);
    expect(() => parseProfile('{ not json', 'p')).toThrow(ConfigError);
  });

  it('an unknown action or op is refused', () => {
    expect(() => parseProfile('{"defaultAction":"SCMP_ACT_NOTIFY"}', 'p')).toThrow(/unsupported action/);
    expect(() => parseProfile('{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW","args":[{"index":7,"value":1,"op":"SCMP_CMP_EQ"}]}]}', 'p')).toThrow(/index must be 0..5/);
  });

  it('a syscall no architecture has is refused (a typo must not silently weaken a profile)', () => {
    const p = parseProfile('{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["kexec_lod"],"action":"SCMP_ACT_ERRNO"}]}', 'p');
    expect(() => compileProfile(p, { arch: 'x86_64', caps: [], kernel: '6.1' })).toThrow(/unknown syscall "kexec_lod"/);
  });

  it("a syscall of another architecture is skipped, as Docker does (chown32, arch_prctl on aarch64)", () => {
    const p = parseProfile('{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["chown32","arch_prctl","read"],"action":"SCMP_ACT_ALLOW"}]}', 'p');
    expect(compileProfile(p, { arch: 'aarch64', caps: [], kernel: '6.1' }).skipped).toEqual(['arch_prctl', 'chown32']);
    expect(compileProfile(p, { arch: 'x86_64', caps: [], kernel: '6.1' }).skipped).toEqual(['chown32']);
  });

  it('ranges() groups consecutive numbers', () => {
    expect(ranges([1, 2, 3, 7, 9, 10])).toEqual([[1, 3], [7, 7], [9, 10]]);
  });
});
