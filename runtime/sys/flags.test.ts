import { describe, expect, it } from 'vitest';
import { CLONE, MS, flagNames, parseFlagNames } from './flags.ts';
import { SyscallError } from './errors.ts';
import { errnoName } from './errno.ts';
import { mount, unshare } from './syscalls.ts';
import { syscallNumber } from './numbers.ts';

describe('flag names', () => {
  it('names the namespace flags of a container', () => {
    const flags = CLONE.CLONE_NEWNS | CLONE.CLONE_NEWUTS | CLONE.CLONE_NEWIPC | CLONE.CLONE_NEWNET | CLONE.CLONE_NEWPID;
    expect(flagNames(CLONE, flags)).toBe('CLONE_NEWNS|CLONE_NEWUTS|CLONE_NEWIPC|CLONE_NEWPID|CLONE_NEWNET');
    expect(parseFlagNames(CLONE, flagNames(CLONE, flags))).toBe(flags);
  });

  it('keeps unknown bits as hex', () => {
    expect(flagNames(MS, MS.MS_BIND | MS.MS_REC | 0x80000000)).toBe('MS_BIND|MS_REC|0x80000000');
  });

  it('prints 0 for no flags', () => {
    expect(flagNames(MS, 0)).toBe('0');
  });
});

describe('syscall errors', () => {
  it('a failed mount names the syscall, target, flags and errno', () => {
    let err: unknown;
    try {
      mount('none', '/definitely/not/here', 'tmpfs', MS.MS_NOSUID | MS.MS_NODEV);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SyscallError);
    expect((err as SyscallError).code).toBe('ENOENT');
    expect((err as SyscallError).message).toBe('mount src=none dst=/definitely/not/here type=tmpfs flags=MS_NOSUID|MS_NODEV: ENOENT (no such file or directory)');
  });

  it('unshare with an invalid flag fails with EINVAL', () => {
    expect(() => unshare(0x00000001)).toThrow(/unshare flags=0x1: EINVAL/);
  });

  it('knows errno names and per-arch syscall numbers', () => {
    expect(errnoName(1)).toBe('EPERM');
    expect(errnoName(16)).toBe('EBUSY');
    expect(syscallNumber('pivot_root', 'x64')).toBe(155);
    expect(syscallNumber('pivot_root', 'arm64')).toBe(41);
    expect(() => syscallNumber('pivot_root', 'mips')).toThrow(/x86_64 and aarch64/);
  });
});
