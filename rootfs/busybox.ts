/**
 * The `busybox` rootfs: one static busybox binary plus a link per applet,
 * built offline from the host's busybox (apt-get install busybox-static).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { buildAtomically, skeleton, silent, type Progress } from './common.ts';
import { libraries } from './host.ts';

export function findBusybox(): string | null {
  for (const p of ['/bin/busybox', '/usr/bin/busybox', '/sbin/busybox']) if (fs.existsSync(p)) return p;
  return null;
}

export async function buildBusyboxRootfs(dest: string, progress: Progress = silent): Promise<string> {
  const busybox = findBusybox();
  if (!busybox) throw new Error('busybox is not installed: apt-get install -y busybox-static (or use npm run rootfs -- host)');
  if (libraries(busybox).length > 0) throw new Error(`${busybox} is dynamically linked: install busybox-static`);
  const applets = execFileSync(busybox, ['--list-full'], { encoding: 'utf8' }).trim().split('\n');
  return buildAtomically(dest, { kind: 'busybox', applets: applets.length }, (root) => {
    skeleton(root);
    for (const l of ['bin', 'sbin']) fs.mkdirSync(path.join(root, l), { recursive: true });
    fs.copyFileSync(busybox, path.join(root, 'bin/busybox'));
    fs.chmodSync(path.join(root, 'bin/busybox'), 0o755);
    let i = 0;
    for (const applet of applets) {
      const link = path.join(root, applet);
      fs.mkdirSync(path.dirname(link), { recursive: true });
      if (!fs.existsSync(link)) fs.symlinkSync('/bin/busybox', link);
      if (++i % 50 === 0) progress('busybox applets', i, applets.length);
    }
  });
}
