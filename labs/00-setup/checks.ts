/**
 * Lab 00 — is this machine ready? The same questions `tiny-docker doctor`
 * answers, asked the way the later labs will need them.
 */
import * as fs from 'node:fs';
import { defineLab, expectExit, expectOutput, fail } from '../../harness/lab-api.ts';

export default defineLab({
  id: '00-setup',
  title: 'Setup: a machine that can run containers',
  idea: 'A container runtime needs root, namespaces, cgroups, overlayfs, a static init and a root filesystem: check each once, then forget about it.',
  checks: [
    {
      id: 'version',
      title: 'the CLI starts and prints its version',
      runs: 'tiny-docker --version',
      expect: 'tiny-docker version X.Y.Z',
      hint: 'npm ci, then npm run build (the CLI runs the esbuild bundle in dist/)',
      async verify(t) {
        const r = await t.cli(['--version']);
        expectExit(r, 0);
        if (!/^tiny-docker version \d+\.\d+\.\d+/.test(r.stdout)) fail(`printed ${JSON.stringify(r.stdout.trim())}`);
      },
    },
    {
      id: 'root',
      title: 'running as root',
      runs: 'id -u',
      expect: '0',
      hint: 'namespaces, mounts and cgroups need root here: sudo npm run lab',
      async verify() {
        if (process.getuid?.() !== 0) fail(`uid is ${process.getuid?.()}, not 0`);
      },
    },
    {
      id: 'doctor',
      title: 'tiny-docker doctor finds nothing to fix',
      runs: 'tiny-docker doctor',
      expect: 'every required line is ✔ and it ends with "ready to run containers"',
      hint: 'read the "fix:" line under each ✘ in `sudo bin/tiny-docker doctor`',
      async verify(t) {
        const r = await t.cli(['doctor']);
        if (r.code !== 0) fail(`doctor exited ${r.code}: ${r.stdout.split('\n').filter((l) => l.includes('✘')).join('; ') || r.stderr.trim()}`);
        if (!r.stdout.includes('ready to run containers')) fail('doctor did not say "ready to run containers"');
      },
    },
    {
      id: 'rootfs',
      title: 'a root filesystem is prepared',
      runs: 'ls rootfs/images/host',
      expect: 'a directory with bin/sh and .tiny-docker-image',
      hint: 'npm run rootfs -- host   (offline: it copies this machine’s own binaries)',
      async verify(t) {
        if (!fs.existsSync(`${t.image}/bin/sh`)) fail(`${t.image}/bin/sh does not exist`);
      },
    },
    {
      id: 'hello',
      title: 'a first container says hello',
      runs: "tiny-docker run sh -c 'echo hello from $(hostname)'",
      expect: 'hello from <12 hex digits>, exit 0',
      hint: 'if this fails but doctor passes, run it by hand with --trace to see the failing step',
      async verify(t) {
        const r = await t.sh('echo hello from $(hostname)');
        expectExit(r, 0);
        if (!/^hello from [0-9a-f]{12}$/.test(r.stdout.trim())) fail(`printed ${JSON.stringify(r.stdout.trim())}, expected "hello from" and a 12-hex-digit hostname`);
      },
    },
    {
      id: 'no-trace-left',
      title: 'nothing is left behind after it exits',
      runs: 'tiny-docker run --rm true; ls <root>/containers',
      expect: 'no container directory remains',
      hint: '--rm removes the state directory when the container exits (runtime/container.ts cleanup)',
      async verify(t) {
        expectOutput(await t.cli(['run', '--rm', '--rootfs', t.image, 'true']), '');
        const left = fs.existsSync(`${t.root}/containers`) ? fs.readdirSync(`${t.root}/containers`) : [];
        if (left.length) fail(`${left.length} container director${left.length > 1 ? 'ies' : 'y'} left in ${t.root}/containers`);
      },
    },
  ],
});
