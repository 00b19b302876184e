/**
 * `-it` gives a real pty: driven through tmux, a real terminal emulator, as
 * a user at a keyboard would (send keys, read the screen).
 */
import { afterAll, expect, test } from 'vitest';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { BIN, HOST_ROOTFS, cli, stateEntries, tempRoot } from '../../test/helpers.ts';

const root = tempRoot('tty');
// A private tmux server (-L), so we never touch anyone else's sessions.
const socket = `tdk-tty-${process.pid}`;
let session = 'run';
const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
const screen = () => tmux('capture-pane', '-p', '-t', session);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(pattern: RegExp, timeoutMs = 15_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = screen();
    if (pattern.test(s)) return s;
    if (Date.now() > deadline) throw new Error(`screen never matched ${pattern}:\n${s}`);
    await sleep(100);
  }
}
const type = (keys: string) => tmux('send-keys', '-t', session, keys, 'Enter');

/** Type a command until its output shows up (SIGWINCH is asynchronous: give it a few tries). */
async function typeUntil(keys: string, pattern: RegExp, tries = 5): Promise<void> {
  for (let i = 1; ; i++) {
    type(keys);
    try {
      await waitFor(pattern, 2000);
      return;
    } catch (err) {
      if (i === tries) throw err;
    }
  }
}

afterAll(() => {
  try {
    tmux('kill-server');
  } catch {
    // already gone
  }
  fs.rmSync(`/tmp/tmux-${process.getuid?.() ?? 0}/${socket}`, { force: true });
  const left = stateEntries(root);
  if (left.length) cli(root, ['rm', '-f', ...left]);
  fs.rmSync(root, { recursive: true, force: true });
});

test('run -it: a pty as controlling terminal, job control, window size and its changes', async () => {
  tmux('new-session', '-d', '-s', session, '-x', '100', '-y', '30', `${BIN} --root ${root} run -it --rm --rootfs ${HOST_ROOTFS} /bin/sh; echo "EXITED=$?"; sleep 60`);
  await waitFor(/^# ?$/m); // tmux trims the space after the prompt
  type('busybox tty; busybox stty size');
  await waitFor(/^\/dev\/console\n30 100$/m);
  // Job control: Ctrl-Z stops the foreground job, which only works with a controlling terminal.
  type('sleep 100');
  await sleep(1000); // let sh start it, so Ctrl-Z reaches the job and not the prompt
  tmux('send-keys', '-t', session, 'C-z');
  await waitFor(/Stopped\s+sleep 100/);
  // SIGWINCH → TIOCSWINSZ on the pty.
  tmux('resize-window', '-t', session, '-x', '120', '-y', '40');
  await typeUntil('busybox stty size', /^40 120$/m);
  // Ctrl-C reaches the foreground job through the pty's line discipline.
  type('kill -9 %1');
  await sleep(500);
  type('sleep 100; echo sleep-ended-$?');
  await sleep(1000);
  tmux('send-keys', '-t', session, 'C-c');
  // A SIGINT'd sleep ends the whole list in an interactive shell: the echo never runs.
  type('echo after-ctrl-c');
  // Typed ahead of the new prompt, the output can land right after "# ".
  await waitFor(/^(# ?)?after-ctrl-c$/m);
  expect(screen()).not.toMatch(/^sleep-ended-/m);
  type('exit 5');
  await waitFor(/EXITED=5/);
  expect(stateEntries(root)).toEqual([]);
}, 60_000);

test('exec -it into a detached container gets a shell with a terminal', async () => {
  const id = cli(root, ['run', '-d', '--rootfs', HOST_ROOTFS, '--hostname', 'ttybox', '/bin/sleep', '600']).stdout.trim();
  session = 'exec';
  tmux('new-session', '-d', '-s', session, '-x', '90', '-y', '25', `${BIN} --root ${root} exec -it ${id} /bin/sh; echo "EXITED=$?"; sleep 60`);
  await waitFor(/^# ?$/m); // tmux trims the space after the prompt
  // No /dev/console bind here (the mount namespace exists already), so ttyname() finds no name; the pty works.
  type('busybox stty size; hostname; test -t 0 && echo stdin-is-a-tty');
  await waitFor(/^25 90\nttybox\nstdin-is-a-tty$/m);
  type('exit 3');
  await waitFor(/EXITED=3/);
  expect(cli(root, ['rm', '-f', id]).code).toBe(0);
}, 60_000);

test('-i without -t still passes stdin through', () => {
  const r = cli(root, ['run', '-i', '--rm', '--rootfs', HOST_ROOTFS, '/bin/sh', '-c', 'read x; echo got $x'], { input: 'hello\n' });
  expect(r).toMatchObject({ code: 0, stdout: 'got hello\n' });
});
