/**
 * The caller's side of `-it`: copy bytes between our terminal and the pty
 * master, with our terminal in raw mode (keys go through unchanged: Ctrl-C
 * becomes byte 0x03, and the pty's line discipline inside turns it into
 * SIGINT for the container's foreground job), and keep the pty's window
 * size in step with ours (SIGWINCH → 'resize' → TIOCSWINSZ).
 */
import * as fs from 'node:fs';
import { setWindowSize } from '../sys/pty.ts';
import { ignoreClosedReader } from './closed-reader.ts';

export interface AttachedTerminal {
  /** Resolves when the container side has closed (EIO on the master). */
  closed: Promise<void>;
  /** Leave raw mode and stop copying. */
  detach(): void;
}

export function attachTerminal(master: number): AttachedTerminal {
  const stdin = process.stdin;
  const stdout = process.stdout;
  ignoreClosedReader(stdout); // `run -t … | head`: the run must still clean up
  const wasRaw = stdin.isTTY ? stdin.isRaw : false;
  if (stdin.isTTY) stdin.setRawMode(true);

  const resize = () => {
    if (stdout.isTTY) setWindowSize(master, stdout.rows, stdout.columns);
  };
  resize();
  stdout.on('resize', resize);

  const toContainer = (data: Buffer) => {
    try {
      fs.writeSync(master, data);
    } catch {
      // the container is gone; its output side will close too
    }
  };
  stdin.on('data', toContainer);
  stdin.resume();

  // Reads block in the threadpool; when the last slave fd closes (the
  // container exited) read() fails with EIO, which ends the stream.
  const reader = fs.createReadStream('', { fd: master, autoClose: false, highWaterMark: 16384 });
  const closed = new Promise<void>((resolve) => {
    reader.on('data', (chunk) => stdout.write(chunk));
    reader.on('error', () => resolve());
    reader.on('end', () => resolve());
  });

  return {
    closed,
    detach() {
      stdout.off('resize', resize);
      stdin.off('data', toContainer);
      if (stdin.isTTY) stdin.setRawMode(wasRaw);
      stdin.pause();
    },
  };
}
