/**
 * Describe tiny-init's steps as the C calls they become, for the teaching
 * trace: `mount("proc", "/proc", "proc", MS_NOSUID|MS_NODEV|MS_NOEXEC)`
 * rather than `op 3 /proc`. tiny-init itself only reports the op number, its
 * duration and a short detail; the parent built the program, so it knows
 * the arguments and can name the flags with the same tables as its own calls.
 */
import { constants as osConstants } from 'node:os';
import { CLONE, MS, flagNames } from '../sys/flags.ts';
import type { InitStep } from './protocol.ts';

const q = (s: string | Buffer | undefined) => JSON.stringify(typeof s === 'string' ? s : String(s ?? ''));
const SIGNAL_NAMES = new Map(Object.entries(osConstants.signals).map(([name, n]) => [n as number, name]));

/** The C call a step stands for, with flag names. */
export function describeStep(step: InitStep): string {
  const a = step.args.map((x) => (typeof x === 'string' ? x : `<${x.length} bytes>`));
  switch (step.op) {
    case 'SETSID':
      return 'setsid()';
    case 'PDEATHSIG': {
      const sig = Number(a[0]);
      return `prctl(PR_SET_PDEATHSIG, ${sig === 0 ? '0' : (SIGNAL_NAMES.get(sig) ?? sig)})`;
    }
    case 'UNSHARE':
      return `unshare(${flagNames(CLONE, Number(a[0]))})`;
    case 'MOUNT': {
      // Empty strings stand for NULL, as tiny-init passes them.
      const arg = (s: string | undefined) => (s ? q(s) : 'NULL');
      return `mount(${arg(a[0])}, ${q(a[1])}, ${arg(a[2])}, ${flagNames(MS, Number(a[3]))}${a[4] ? ', ' + q(a[4]) : ''})`;
    }
    case 'CHDIR':
      return `chdir(${q(a[0])})`;
    case 'CHROOT':
      return `chroot(${q(a[0])}); chdir("/")`;
    case 'MASK':
      return `mask ${a[0]} (mount /dev/null or an empty read-only tmpfs over it)`;
    case 'READONLY':
      return `mount(${q(a[0])}, ${q(a[0])}, NULL, MS_BIND|MS_REMOUNT|MS_RDONLY|MS_REC)`;
    case 'SETNS':
      return `setns(open(${q(a[0])}), ${flagNames(CLONE, Number(a[1]))})`;
    case 'NNP':
      return 'prctl(PR_SET_NO_NEW_PRIVS, 1)';
    case 'SECCOMP':
      return `seccomp(SECCOMP_SET_MODE_FILTER, ${a[0]})`;
    case 'CAPS':
      // hex, as /proc/PID/status shows them (CapEff: 00000000a80425fb)
      return `capset(effective=${hex(a[1])}, permitted=${hex(a[2])}) + bounding set ${hex(a[0])}`;
    case 'IDS':
      return `setgroups([${a.slice(2).join(', ')}]); setgid(${a[1]}); setuid(${a[0]})`;
    case 'RLIMIT':
      return `setrlimit(${a[0]}, {soft: ${a[1]}, hard: ${a[2]}})`;
    case 'WRITE':
      return `write ${a[0]} ${q(a[1])}`;
    case 'SYMLINK':
      return `symlink(${q(a[0])}, ${q(a[1])})`;
    case 'MKDIR':
      return `mkdir -p ${a[0]}`;
    case 'WAIT':
      return 'write(fd 3, "W"); read(fd 3, the next program)  (the container is "created")';
    case 'PIVOT':
      return 'pivot_root(".", "."); mount(NULL, ".", NULL, MS_SLAVE|MS_REC); umount2(".", MNT_DETACH); chdir("/")';
    case 'SETCTTY':
      return 'ioctl(0, TIOCSCTTY)';
    case 'EXEC': {
      const argc = Number(a[1]);
      const argv = a.slice(2, 2 + argc);
      return `execve(${q(a[0])}, [${argv.map(q).join(', ')}], envp[${a.length - 2 - argc}])`;
    }
    default:
      return `${String(step.op).toLowerCase()}(${a.map(q).join(', ')})`;
  }
}

/** A decimal capability mask as the 16 hex digits of /proc/PID/status. */
function hex(decimal: string | undefined): string {
  return `0x${BigInt(decimal ?? '0').toString(16).padStart(16, '0')}`;
}
