/**
 * The `host` rootfs: built offline from this machine's own binaries and the
 * shared libraries they need (found with ldd). It needs nothing installed
 * and nothing downloaded, so it is the default that always works.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { buildAtomically, skeleton, silent, type Progress } from './common.ts';

/** Tools a lesson uses: a shell, coreutils, procps, util-linux and iproute2. */
export const HOST_TOOLS = [
  'sh', 'bash', 'ls', 'cat', 'echo', 'printf', 'true', 'false', 'env', 'id', 'whoami', 'hostname', 'uname', 'date', 'sleep',
  'mkdir', 'rmdir', 'rm', 'touch', 'ln', 'cp', 'mv', 'chmod', 'readlink', 'realpath', 'stat', 'head', 'tail', 'wc', 'seq', 'yes',
  'grep', 'sed', 'tr', 'cut', 'sort', 'uniq', 'tee', 'xargs', 'od', 'dd', 'find', 'test', 'expr', 'pwd', 'nproc', 'timeout',
  'ps', 'kill', 'free', 'mount', 'umount', 'unshare', 'nsenter', 'chroot', 'mknod', 'df', 'ip', 'ping', 'setsid', 'getent',
  'awk', 'mawk', 'nc', 'wget', 'busybox', 'capsh', 'setpriv', 'python3',
];

function which(tool: string): string | null {
  for (const dir of ['/usr/local/bin', '/usr/bin', '/bin', '/usr/sbin', '/sbin']) {
    const p = path.join(dir, tool);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      // try the next directory
    }
  }
  return null;
}

/** The shared libraries a binary loads, from `ldd` (empty for static binaries). */
export function libraries(binary: string): string[] {
  let out = '';
  try {
    out = execFileSync('ldd', [binary], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return []; // "not a dynamic executable"
  }
  const libs: string[] = [];
  for (const line of out.split('\n')) {
    const m = /=>\s+(\/\S+)/.exec(line) ?? /^\s+(\/\S+)\s+\(/.exec(line);
    if (m) libs.push(m[1]!);
  }
  return libs;
}

function copyInto(root: string, hostPath: string, asPath = hostPath): void {
  const dest = path.join(root, asPath);
  if (fs.existsSync(dest)) return;
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  fs.copyFileSync(fs.realpathSync(hostPath), dest);
  fs.chmodSync(dest, fs.statSync(hostPath).mode & 0o7777);
}

export async function buildHostRootfs(dest: string, progress: Progress = silent): Promise<string> {
  // python3 is large (and drags in its stdlib); only take it when asked.
  const tools = HOST_TOOLS.filter((t) => t !== 'python3' || process.env.TINY_DOCKER_ROOTFS_PYTHON);
  return buildAtomically(dest, { kind: 'host', tools }, (root) => {
    skeleton(root);
    // usr-merge layout, as Debian 12: /bin, /sbin, /lib* are links into /usr
    for (const l of ['bin', 'sbin', 'lib', 'lib64']) {
      fs.mkdirSync(path.join(root, 'usr', l), { recursive: true });
      fs.symlinkSync(`usr/${l}`, path.join(root, l));
    }
    let done = 0;
    const found: string[] = [];
    for (const tool of tools) {
      const p = which(tool);
      done++;
      if (!p) continue;
      found.push(tool);
      const sbin = p.includes('/sbin/');
      copyInto(root, p, `/usr/${sbin ? 'sbin' : 'bin'}/${tool}`);
      for (const lib of libraries(p)) copyInto(root, lib, lib.replace(/^\/(lib|lib64)\//, '/usr/$1/'));
      progress(`host rootfs: ${tool}`, done, tools.length);
    }
    // /bin/sh must exist: everything in the labs uses it
    if (!found.includes('sh')) throw new Error('no /bin/sh on this host to copy');
  });
}
