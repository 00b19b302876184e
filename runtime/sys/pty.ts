/**
 * Pseudo-terminals for `run -it` / `exec -it`, as `man 7 pty` describes:
 *
 *   caller's terminal (raw mode) ⇄ tiny-docker ⇄ pty master ═ pty slave ⇄ container's sh
 *
 * The slave end becomes the container's stdin/stdout/stderr; tiny-init's
 * SETCTTY step makes it the controlling terminal, so the shell inside gets
 * job control (Ctrl-Z, fg) and Ctrl-C reaches its foreground process group
 * through the kernel's line discipline, not through us.
 */
import * as fs from 'node:fs';
import { SyscallError } from './errors.ts';
import { loadLibc } from './libc.ts';
import { ioctl } from './syscalls.ts';
import { traced } from './trace.ts';

const O_RDWR = 0o2;
const O_NOCTTY = 0o400;
/** <asm-generic/ioctls.h>, the same on x86_64 and aarch64. */
const TIOCSWINSZ = 0x5414;

export interface Pty {
  master: number;
  slave: number;
  /** e.g. /dev/pts/3 */
  path: string;
}

/** posix_openpt + grantpt + unlockpt + ptsname_r, then open the slave. */
export function openPty(): Pty {
  return traced(
    () => 'posix_openpt(O_RDWR|O_NOCTTY)',
    () => {
      const libc = loadLibc();
      // O_NOCTTY: the pty must not become *our* controlling terminal.
      const master = libc.posix_openpt(O_RDWR | O_NOCTTY);
      if (master < 0) throw new SyscallError('posix_openpt', libc.errno(), {});
      const buf = Buffer.alloc(128);
      if (libc.grantpt(master) !== 0 || libc.unlockpt(master) !== 0 || libc.ptsname_r(master, buf, buf.length) !== 0) {
        const errno = libc.errno();
        fs.closeSync(master);
        throw new SyscallError('unlockpt', errno, {});
      }
      const path = buf.toString('utf8', 0, buf.indexOf(0));
      const slave = fs.openSync(path, fs.constants.O_RDWR | fs.constants.O_NOCTTY);
      return { master, slave, path };
    },
    (p) => `= master ${p.master}, ${p.path}`,
  );
}

/** Tell the pty its size (struct winsize: rows, cols, xpixel, ypixel as u16). */
export function setWindowSize(fd: number, rows: number, cols: number): void {
  const ws = Buffer.alloc(8);
  ws.writeUInt16LE(rows, 0);
  ws.writeUInt16LE(cols, 2);
  ioctl(fd, TIOCSWINSZ, 'TIOCSWINSZ', ws);
}

