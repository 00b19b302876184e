/**
 * Lab 04 — the root filesystem: an overlay over the image, /proc /dev /sys
 * of the container's own, and pivot_root rather than chroot (failure first:
 * the breakout demo escapes a chroot).
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { HARNESS_ROOT } from '../../harness/labs.ts';
import { defineLab, expectExit, expectMatch, expectOutput, fail, type CheckContext, type RunResult } from '../../harness/lab-api.ts';

/** Compile breakout.c (static: the container has its own libc, or none) and run it inside, fed through stdin. */
async function breakout(t: CheckContext, flags: string[]): Promise<RunResult> {
  const bin = path.join(t.scratch, 'breakout');
  const cc = await t.host('cc', ['-static', '-Os', '-o', bin, path.join(HARNESS_ROOT, 'labs', '04-rootfs', 'breakout.c')]);
  if (cc.code !== 0) fail(`could not build breakout.c: ${cc.stderr.trim().split('\n')[0]}`);
  // A file that exists only on the host, outside the image: visible inside means escaped.
  const marker = path.join(t.scratch, `host-only-${crypto.randomBytes(4).toString('hex')}`);
  fs.writeFileSync(marker, 'the host\n');
  return t.sh(`cat > /tmp/breakout && chmod +x /tmp/breakout && exec /tmp/breakout ${marker}`, ['-i', ...flags], { input: fs.readFileSync(bin) });
}

export default defineLab({
  id: '04-rootfs',
  title: 'The root filesystem: overlay, /proc /dev /sys, pivot_root',
  idea: 'A container’s / is a copy-on-write overlay over an image, and pivot_root (not chroot) makes the host’s / unreachable.',
  checks: [
    {
      id: 'breakout-chroot',
      title: 'failure first: the breakout escapes --chroot --privileged',
      runs: 'tiny-docker run -i --chroot --privileged sh -c "cat > /tmp/breakout; …; /tmp/breakout HOST_FILE" < breakout',
      expect: 'ESCAPED: read the host’s HOST_FILE: …',
      hint: '--chroot is the teaching mode: tiny-init calls chroot(2) and the old root stays in the mount namespace',
      requires: [{ runFlag: 'chroot' }, { hostTool: 'cc' }],
      async verify(t) {
        const r = await breakout(t, ['--chroot', '--privileged']);
        expectMatch(r, /^escaped:/im, '"ESCAPED: …" (the chroot should be escapable)');
      },
    },
    {
      id: 'breakout-pivot',
      title: 'the same breakout fails under the default pivot_root',
      runs: 'tiny-docker run -i sh -c "…; /tmp/breakout HOST_FILE" < breakout',
      expect: 'CONTAINED: HOST_FILE is not visible (exit 1)',
      hint: 'pivot_root(".", ".") then umount2(".", MNT_DETACH): nothing above the new root is left to chdir("..") into',
      requires: [{ hostTool: 'cc' }],
      async verify(t) {
        const r = await breakout(t, []);
        if (/^escaped:/im.test(r.stdout)) fail('the breakout ESCAPED: the old root is still reachable (pivot_root, then detach the old root)');
        if (!/^contained:/im.test(r.stdout)) fail(`\`${r.command}\` exited ${r.code} without a verdict: ${(r.stdout + r.stderr).trim().slice(0, 160)}`);
      },
    },
    {
      id: 'root-is-overlay',
      title: 'the container’s / is an overlay mount',
      runs: "tiny-docker run awk '$5 == \"/\"' /proc/self/mountinfo",
      expect: 'one line, of type overlay',
      hint: 'mount("overlay", merged, "overlay", 0, "lowerdir=IMAGE,upperdir=…,workdir=…") before pivot_root',
      async verify(t) {
        const r = await t.cli(['run', '--rootfs', t.image, 'awk', '$5 == "/"', '/proc/self/mountinfo']);
        expectMatch(r, / - overlay /, 'a "/" mount of type overlay');
      },
    },
    {
      id: 'copy-on-write',
      title: 'a file written inside is not written into the image',
      runs: "tiny-docker run sh -c 'echo lab04 > /lab04-cow && cat /lab04-cow'",
      expect: 'prints lab04; the image has no /lab04-cow',
      hint: 'writes go to the per-container upper dir; the image is overlayfs’s read-only lowerdir',
      async verify(t) {
        expectOutput(await t.sh('echo lab04 > /lab04-cow && cat /lab04-cow'), 'lab04');
        if (fs.existsSync(path.join(t.image, 'lab04-cow'))) {
          fs.rmSync(path.join(t.image, 'lab04-cow'), { force: true });
          fail(`${t.image}/lab04-cow exists: the container wrote into the image (use overlay with an upper dir)`);
        }
      },
    },
    {
      id: 'fresh-copy',
      title: 'the next container starts from the clean image',
      runs: "tiny-docker run sh -c 'echo x > /lab04-mine'; tiny-docker run sh -c 'test -e /lab04-mine && echo seen || echo clean'",
      expect: 'prints clean',
      hint: 'each container gets its own upper dir under its state directory',
      async verify(t) {
        expectExit(await t.sh('echo x > /lab04-mine'), 0);
        expectOutput(await t.sh('test -e /lab04-mine && echo seen || echo clean'), 'clean');
      },
    },
    {
      id: 'proc',
      title: '/proc shows the container’s processes only',
      runs: 'tiny-docker run sh -c "ls /proc | grep -c \'^[0-9]\'"',
      expect: 'a handful (sh, ls, grep), not the host’s hundreds',
      hint: 'tiny-init mounts proc at /proc from inside the new PID namespace (a parent’s mount would show the host’s PIDs)',
      async verify(t) {
        const r = await t.sh("ls /proc | grep -c '^[0-9]'");
        expectExit(r, 0);
        const n = Number(r.stdout.trim());
        if (!(n >= 1 && n <= 5)) fail(`/proc lists ${r.stdout.trim()} processes: it is not the container’s own procfs`);
      },
    },
    {
      id: 'dev',
      title: '/dev has the basic devices and no host disks',
      runs: 'tiny-docker run sh -c \'for d in null zero full random urandom tty; do test -c /dev/$d || echo missing $d; done; ls /dev\'',
      expect: 'no "missing", and no sd*/vd*/nvme*/mem in /dev',
      hint: 'a tmpfs on /dev with mknod() of the six character devices (runtime/rootfs/dev.ts), never a bind of the host’s /dev',
      async verify(t) {
        const r = await t.sh('for d in null zero full random urandom tty; do test -c /dev/$d || echo missing $d; done; ls /dev');
        expectExit(r, 0);
        const missing = r.stdout.split('\n').filter((l) => l.startsWith('missing'));
        if (missing.length) fail(missing.join(', '));
        const host = r.stdout.split(/\s+/).filter((d) => /^(sd[a-z]|vd[a-z]|nvme|mem$|kmem$|xvd)/.test(d));
        if (host.length) fail(`host devices are visible: ${host.join(' ')}`);
      },
    },
    {
      id: 'sys-readonly',
      title: '/sys is mounted read-only',
      runs: "tiny-docker run awk '$2 == \"/sys\" {print $4}' /proc/mounts",
      expect: 'options start with ro',
      hint: 'sysfs holds knobs for the whole machine: mount it with MS_RDONLY',
      async verify(t) {
        const r = await t.cli(['run', '--rootfs', t.image, 'awk', '$2 == "/sys" {print $4}', '/proc/mounts']);
        expectMatch(r, /^ro\b/, 'mount options starting with "ro"');
      },
    },
  ],
});
