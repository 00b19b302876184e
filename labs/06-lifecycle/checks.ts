/**
 * Lab 06 — the lifecycle: a detached container outlives the command that
 * started it, so something must reap it and remember it: a state file per
 * container and a small monitor, as containerd-shim and conmon do.
 */
import { defineLab, expectExit, expectMatch, expectOutput, fail, type CheckContext } from '../../harness/lab-api.ts';
import { sleep } from '../../harness/context.ts';

/** run -d, remembered for cleanup; returns the printed id. */
async function detach(t: CheckContext, name: string, script: string, flags: string[] = []): Promise<string> {
  t.track(name);
  const r = await t.cli(['run', '-d', '--name', name, '--rootfs', t.image, ...flags, 'sh', '-c', script]);
  return expectMatch(r, /^[0-9a-f]{64}$/m, 'the full 64-hex-digit id')[0];
}

async function until(fn: () => Promise<boolean>, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await fn()) return true;
    await sleep(100);
  }
  return false;
}

export default defineLab({
  id: '06-lifecycle',
  title: 'Lifecycle: run -d, ps, logs, exec, stop, rm',
  idea: 'A detached container needs a record (state.json) and a reaper (a monitor) so that ps, logs, stop and rm can find it later, from another process.',
  requires: [{ command: 'ps' }, { command: 'logs' }, { command: 'stop' }, { command: 'rm' }],
  checks: [
    {
      id: 'detach',
      title: 'run -d prints the full id and returns while the container runs',
      runs: "tiny-docker run -d --name lab06-a sh -c 'sleep 30'",
      expect: 'a 64-hex-digit id, exit 0, within seconds',
      hint: 'start the container, hand it to a monitor, print the id, return',
      async verify(t) {
        await detach(t, 'lab06-a', 'sleep 30');
      },
    },
    {
      id: 'ps',
      title: 'ps lists it as running, with its name and short id',
      runs: 'tiny-docker ps',
      expect: 'a row with the 12-digit id, running, lab06-b',
      hint: 'ps reads every state.json; a recorded pid counts only if its start time in /proc/PID/stat still matches',
      async verify(t) {
        const id = await detach(t, 'lab06-b', 'sleep 30');
        const r = await t.cli(['ps']);
        expectExit(r, 0);
        const row = r.stdout.split('\n').find((l) => l.includes(id.slice(0, 12)));
        if (!row) fail(`no row with ${id.slice(0, 12)} in \`tiny-docker ps\`:\n${r.stdout.trim()}`);
        if (!/running|up/i.test(row) || !row.includes('lab06-b')) fail(`the row does not say running with the name lab06-b: ${row.trim()}`);
      },
    },
    {
      id: 'logs',
      title: 'logs shows what a detached container printed',
      runs: "tiny-docker run -d --name lab06-c sh -c 'echo lab06-line; sleep 30'; tiny-docker logs lab06-c",
      expect: 'lab06-line',
      hint: 'a detached container’s stdout and stderr go to a log file in its state directory, which logs reads',
      async verify(t) {
        await detach(t, 'lab06-c', 'echo lab06-line; sleep 30');
        let last = '';
        const ok = await until(async () => {
          const r = await t.cli(['logs', 'lab06-c']);
          last = r.stdout + r.stderr;
          return r.stdout.includes('lab06-line');
        }, 5000);
        if (!ok) fail(`logs never showed lab06-line (last: ${JSON.stringify(last.trim().slice(0, 120))})`);
      },
    },
    {
      id: 'exec-hostname',
      title: 'exec runs a command inside it: hostname',
      runs: 'tiny-docker run -d --name lab06-d --hostname lab06-box sh -c "sleep 30"; tiny-docker exec lab06-d hostname',
      expect: 'lab06-box',
      hint: 'exec joins the container’s namespaces with setns(2) (the mount namespace last: it changes the root) and its cgroup',
      requires: [{ command: 'exec' }],
      async verify(t) {
        await detach(t, 'lab06-d', 'sleep 30', ['--hostname', 'lab06-box']);
        expectOutput(await t.cli(['exec', 'lab06-d', 'hostname']), 'lab06-box');
      },
    },
    {
      id: 'exec-pid1',
      title: 'exec sees the container’s PID 1',
      runs: 'tiny-docker exec lab06-e cat /proc/1/cmdline',
      expect: 'the container’s own command (sh … sleep)',
      hint: 'join the PID namespace too: setns(CLONE_NEWPID) affects children, so the exec’d process must be spawned after it',
      requires: [{ command: 'exec' }],
      async verify(t) {
        await detach(t, 'lab06-e', 'sleep 30');
        expectMatch(await t.cli(['exec', 'lab06-e', 'cat', '/proc/1/cmdline']), /sleep 30/, 'the command line of the container’s PID 1');
      },
    },
    {
      id: 'stop',
      title: 'stop ends it, and ps -a shows it exited',
      runs: 'tiny-docker stop -t 2 lab06-f; tiny-docker ps -a',
      expect: 'stop exits 0; the row says exited',
      hint: 'SIGTERM, then SIGKILL after the grace period; the monitor records the exit',
      timeoutMs: 40_000,
      async verify(t) {
        const id = await detach(t, 'lab06-f', 'sleep 30');
        expectExit(await t.cli(['stop', '-t', '2', 'lab06-f']), 0);
        const r = await t.cli(['ps', '-a']);
        const row = r.stdout.split('\n').find((l) => l.includes(id.slice(0, 12)));
        if (!row || !/exited/i.test(row)) fail(`ps -a does not show it exited: ${row?.trim() ?? '(no row)'}`);
      },
    },
    {
      id: 'stubborn',
      title: 'a container that ignores SIGTERM is killed after -t 1 (exit 137)',
      runs: "tiny-docker run -d --name lab06-g sh -c 'trap \"\" TERM; while :; do sleep 1; done'; tiny-docker stop -t 1 lab06-g; tiny-docker inspect lab06-g",
      expect: 'stop returns in a few seconds; ExitCode 137',
      hint: 'after the grace period send SIGKILL, which cannot be trapped; the exit is 128 + 9',
      requires: [{ command: 'inspect' }],
      timeoutMs: 40_000,
      async verify(t) {
        await detach(t, 'lab06-g', 'trap "" TERM; while :; do sleep 1; done');
        expectExit(await t.cli(['stop', '-t', '1', 'lab06-g'], { timeoutMs: 15_000 }), 0);
        expectMatch(await t.cli(['inspect', 'lab06-g']), /"?ExitCode"?\s*:\s*137/i, 'ExitCode 137');
      },
    },
    {
      id: 'rm',
      title: 'rm removes every trace',
      runs: 'tiny-docker stop lab06-h; tiny-docker rm lab06-h; tiny-docker ps -a',
      expect: 'rm exits 0; no row for it; its state directory is gone',
      hint: 'rm removes state, logs, the upper layer, the cgroup and the network',
      timeoutMs: 40_000,
      async verify(t) {
        const id = await detach(t, 'lab06-h', 'sleep 30');
        await t.cli(['stop', '-t', '1', 'lab06-h']);
        expectExit(await t.cli(['rm', 'lab06-h']), 0);
        const r = await t.cli(['ps', '-a']);
        if (r.stdout.includes(id.slice(0, 12))) fail('ps -a still lists it');
        const { existsSync } = await import('node:fs');
        if (existsSync(`${t.root}/containers/${id}`)) fail(`${t.root}/containers/${id} still exists`);
      },
    },
    {
      id: 'unknown',
      title: 'an unknown id: one clear line and exit 1',
      runs: 'tiny-docker stop no-such-container',
      expect: 'exit 1, one line on stderr',
      hint: 'NotFoundError (exit 1), as docker does',
      async verify(t) {
        const r = await t.cli(['stop', 'no-such-container']);
        expectExit(r, 1);
        const lines = r.stderr.trim().split('\n').filter((l) => !l.startsWith('hint:'));
        if (lines.length !== 1) fail(`expected one error line, got ${lines.length}: ${JSON.stringify(r.stderr.trim())}`);
      },
    },
  ],
});
