/**
 * Lab 01 — a container is a process: stdio, exit codes, and the init
 * that Node needs because it cannot fork.
 */
import { defineLab, expectExit, expectOutput, fail } from '../../harness/lab-api.ts';

export default defineLab({
  id: '01-process',
  title: 'A container is a process',
  idea: 'tiny-docker spawns tiny-init, which execs your command: its output is your output, its exit code is your exit code.',
  checks: [
    {
      id: 'stdout',
      title: "the command's stdout reaches the terminal",
      runs: "tiny-docker run sh -c 'echo hello from a container'",
      expect: 'prints hello from a container, exit 0',
      hint: 'spawnInit must pass stdout/stderr through (stdio "inherit"), see runtime/container.ts spawnInit',
      async verify(t) {
        expectOutput(await t.sh('echo hello from a container'), 'hello from a container');
      },
    },
    {
      id: 'stderr',
      title: "the command's stderr stays stderr",
      runs: "tiny-docker run sh -c 'echo oops >&2'",
      expect: 'stderr is oops, stdout is empty',
      hint: 'keep fd 2 separate from fd 1: stdio [stdin, stdout, stderr, "pipe"], the "pipe" being fd 3 for the init protocol',
      async verify(t) {
        const r = await t.sh('echo oops >&2');
        expectExit(r, 0);
        if (r.stdout.trim() !== '' || !r.stderr.includes('oops')) fail(`stdout was ${JSON.stringify(r.stdout.trim())}, stderr ${JSON.stringify(r.stderr.trim())}; expected "oops" on stderr only`);
      },
    },
    {
      id: 'exit-42',
      title: 'exit code 42 comes back as 42',
      runs: "tiny-docker run sh -c 'exit 42'",
      expect: 'exit status 42',
      hint: "exitCodeOf(code, signal) in runtime/container.ts: when the process exited normally, its code is the container's code",
      async verify(t) {
        expectExit(await t.sh('exit 42'), 42);
      },
    },
    {
      id: 'exit-137',
      title: 'a command killed by SIGKILL exits 137 (128 + 9)',
      runs: "tiny-docker run sh -c 'echo ready; sleep 30', then kill -9 <its PID 1> from the host",
      expect: 'exit status 137',
      hint: 'a signalled process has no exit code: the shell convention is 128 + the signal number (os.constants.signals)',
      async verify(t) {
        // From inside, `kill -9 1` does nothing: the kernel shields a PID namespace's init from its own namespace.
        const bg = t.background('echo ready; sleep 30');
        await bg.waitFor(/ready/);
        const pids = bg.containerPids();
        if (pids.length === 0) fail('could not find the container process on the host');
        for (const pid of pids) process.kill(pid, 'SIGKILL');
        expectExit(await bg.stop(), 137);
      },
    },
    {
      id: 'exit-127',
      title: 'a command that does not exist exits 127',
      runs: 'tiny-docker run /no/such/command',
      expect: 'exit status 127, and an error naming the command',
      hint: 'tiny-init reports a failed execve over fd 3 ("E 127 …"); ENOENT means 127, as in a shell',
      async verify(t) {
        const r = await t.cli(['run', '--rootfs', t.image, '/no/such/command']);
        expectExit(r, 127);
        if (!r.stderr.includes('/no/such/command')) fail(`the error does not name the command: ${JSON.stringify(r.stderr.trim())}`);
      },
    },
    {
      id: 'exit-126',
      title: 'a file that cannot be executed exits 126',
      runs: 'tiny-docker run /etc/hostname',
      expect: 'exit status 126',
      hint: 'execve fails with EACCES for a file without the x bit: that is 126 ("cannot execute"), not 127',
      async verify(t) {
        expectExit(await t.cli(['run', '--rootfs', t.image, '/etc/hostname']), 126);
      },
    },
    {
      id: 'stdin',
      title: 'with -i, stdin reaches the command',
      runs: "echo ping | tiny-docker run -i sh -c 'read x; echo got $x'",
      expect: 'prints got ping',
      hint: 'stdin is "ignore" unless -i: then spawnInit passes it through ("inherit")',
      async verify(t) {
        expectOutput(await t.sh('read x; echo got $x', ['-i'], { input: 'ping\n' }), 'got ping');
      },
    },
    {
      id: 'init-execs',
      title: 'tiny-init execs the command: PID 1 is the command itself, not a wrapper',
      runs: 'tiny-docker run cat /proc/1/comm',
      expect: 'prints cat',
      hint: 'tiny-init must execve() the command (no fork): PID 1 becomes the command, so signals and exit codes are its own',
      async verify(t) {
        expectOutput(await t.cli(['run', '--rootfs', t.image, 'cat', '/proc/1/comm']), 'cat');
      },
    },
  ],
});
