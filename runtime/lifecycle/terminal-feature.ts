/**
 * `run -t`: the container's terminal, as a Feature.
 *
 *   inWindow   bind the pty's slave over /dev/console in the rootfs, as runc
 *              and Docker do: the container has its own devpts instance, so
 *              the host's /dev/pts/N is not visible inside, and without this
 *              `tty` would say "not a tty" though every ioctl works.
 *   early      TIOCSCTTY (after tiny-init's setsid): the pty becomes the
 *              controlling terminal, so the shell gets job control (Ctrl-Z)
 *              and Ctrl-C turns into SIGINT for its foreground job.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Feature } from '../features.ts';
import { MS } from '../sys/flags.ts';
import { mount } from '../sys/syscalls.ts';

export function terminalFeature(slavePath: string): Feature {
  return {
    name: 'tty',
    inWindow(ctx) {
      const console = path.join(ctx.rootfsPath, 'dev', 'console');
      if (!fs.existsSync(console)) fs.writeFileSync(console, '');
      mount(slavePath, console, null, MS.MS_BIND);
    },
    initSteps: (_ctx, stage) => (stage === 'early' ? [{ op: 'SETCTTY', args: [] }] : []),
  };
}
