/**
 * Lab 08 — macOS through Lima. On a Mac, tiny-docker is a router: it checks
 * limactl, the instance, its state and arch, then re-runs the same command
 * inside the VM with `limactl shell --workdir <same path> … sudo …`.
 *
 * There is no Mac here: these checks put a STAND-IN limactl on PATH
 * (labs/08-lima/stand-in/limactl) and force routing with TINY_DOCKER_ROUTE=lima.
 */
import * as path from 'node:path';
import { HARNESS_ROOT } from '../../harness/labs.ts';
import { defineLab, expectExit, expectOutput, fail, type CheckContext, type RunResult } from '../../harness/lab-api.ts';

const STAND_IN = path.join(HARNESS_ROOT, 'labs', '08-lima', 'stand-in');
const NODE_DIR = path.dirname(process.execPath);

function routed(t: CheckContext, args: string[], env: Record<string, string> = {}, withLimactl = true): Promise<RunResult> {
  const PATH = withLimactl ? `${STAND_IN}:${NODE_DIR}:/usr/sbin:/usr/bin:/sbin:/bin` : `${NODE_DIR}:/usr/sbin:/usr/bin:/sbin:/bin`;
  // The "guest" is this machine: its node is ours (a real guest has /usr/local/bin/node from the template).
  return t.cli(args, { env: { TINY_DOCKER_ROUTE: 'lima', TINY_DOCKER_LIMA_NODE: process.execPath, PATH, ...env } });
}

/** One line on stderr, exit 125, and the message names the fix. */
function expectPrereq(r: RunResult, fix: RegExp, what: string): void {
  expectExit(r, 125);
  if (!fix.test(r.stderr)) fail(`the message for ${what} does not say what to do (${fix}): ${JSON.stringify(r.stderr.trim())}`);
}

export default defineLab({
  id: '08-lima',
  title: 'macOS: routing every command into a Lima VM',
  idea: 'Containers need a Linux kernel: on a Mac the same CLI becomes a router that checks the VM and runs the command inside it, passing output and exit codes through.',
  requires: [{ file: 'lima/router.ts' }],
  checks: [
    {
      id: 'routed-hello',
      title: 'a routed run prints the container’s output',
      runs: "TINY_DOCKER_ROUTE=lima tiny-docker run sh -c 'echo hello through lima'",
      expect: 'hello through lima (through the stand-in limactl)',
      hint: 'limactl shell --workdir "$PWD" INSTANCE sudo <the same argv>, with stdio inherited',
      async verify(t) {
        // The "guest" is this machine: a direct run first builds tiny-init for it, as `setup lima` would.
        expectExit(await t.cli(['run', '--rootfs', t.image, 'true']), 0);
        expectOutput(await routed(t, ['run', '--rootfs', t.image, 'sh', '-c', 'echo hello through lima']), 'hello through lima');
      },
    },
    {
      id: 'routed-exit-codes',
      title: 'exit codes come back unchanged (42, 127)',
      runs: "TINY_DOCKER_ROUTE=lima tiny-docker run sh -c 'exit 42'; … run /no/such/command",
      expect: '42, then 127',
      hint: 'the router exits with limactl’s exit code, which is the command’s',
      async verify(t) {
        expectExit(await t.cli(['run', '--rootfs', t.image, 'true']), 0); // builds tiny-init for the "guest"
        expectExit(await routed(t, ['run', '--rootfs', t.image, 'sh', '-c', 'exit 42']), 42);
        expectExit(await routed(t, ['run', '--rootfs', t.image, '/no/such/command']), 127);
      },
    },
    {
      id: 'no-limactl',
      title: 'limactl missing: says how to install it, exit 125',
      runs: 'PATH=<without limactl> TINY_DOCKER_ROUTE=lima tiny-docker run true',
      expect: 'exit 125; the message mentions installing Lima',
      hint: 'check `limactl --version` first; the fix is `brew install lima`',
      async verify(t) {
        expectPrereq(await routed(t, ['run', 'true'], {}, false), /install/i, 'a missing limactl');
      },
    },
    {
      id: 'no-instance',
      title: 'no instance: says to run tiny-docker setup lima, exit 125',
      runs: 'STANDIN_LIMA_STATE=missing TINY_DOCKER_ROUTE=lima tiny-docker run true',
      expect: 'exit 125; the message mentions `setup lima`',
      hint: 'limactl list --json prints one object per instance: look for the name',
      async verify(t) {
        expectPrereq(await routed(t, ['run', 'true'], { STANDIN_LIMA_STATE: 'missing' }), /setup lima/i, 'a missing instance');
      },
    },
    {
      id: 'stopped',
      title: 'instance stopped: says limactl start, exit 125',
      runs: 'STANDIN_LIMA_STATE=stopped TINY_DOCKER_ROUTE=lima tiny-docker run true',
      expect: 'exit 125; the message mentions `limactl start`',
      hint: 'status comes from limactl list --json ("Running", "Stopped")',
      async verify(t) {
        expectPrereq(await routed(t, ['run', 'true'], { STANDIN_LIMA_STATE: 'stopped' }), /limactl start/i, 'a stopped instance');
      },
    },
    {
      id: 'arch',
      title: 'an aarch64 guest selects the arm64 build',
      runs: 'STANDIN_LIMA_ARCH=aarch64 TINY_DOCKER_ROUTE=lima tiny-docker run true',
      expect: 'either it runs, or the message names the missing arm64 build',
      hint: 'map aarch64 → arm64 and x86_64 → amd64; never run the host’s native modules in the guest',
      async verify(t) {
        const r = await routed(t, ['run', '--rootfs', t.image, 'true'], { STANDIN_LIMA_ARCH: 'aarch64' });
        if (r.code !== 0 && !/arm64/.test(r.stderr)) fail(`exit ${r.code} and the message does not mention arm64: ${JSON.stringify(r.stderr.trim())}`);
        if (process.arch === 'x64' && r.code === 0) fail('an x86_64 machine ran an "aarch64" guest’s command: the router did not look at the arch');
      },
    },
  ],
});
