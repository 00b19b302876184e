/**
 * Once per `npm test`: build tiny-init, the CLI bundle and the offline host
 * rootfs, so individual tests never race to build them. Afterwards, prove
 * the whole run cleaned up: no container cgroup, tdk* link or TDK iptables
 * line more than before (each test file also counts its own).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { ensureInit, ensureMonitor, projectRoot } from '../runtime/init/binary.ts';
import { bestImage } from '../runtime/rootfs/images.ts';
import { imagesDir } from '../runtime/paths.ts';

/** What a leaking test would leave on the host, by our prefixes. */
export function hostResidue(): { cgroups: string[]; links: string[]; iptables: string[] } {
  const cgroups: string[] = [];
  const walk = (dir: string, depth: number) => {
    if (depth > 6) return;
    let entries: fs.Dirent[] = [];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (!e.isDirectory()) continue;
      const p = path.join(dir, e.name);
      if (/^[0-9a-f]{64}$/.test(e.name) && p.includes('/tiny-docker/')) cgroups.push(p);
      else walk(p, depth + 1);
    }
  };
  walk('/sys/fs/cgroup', 0);
  const out = (cmd: string, args: string[]) => {
    try {
      return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    } catch {
      return '';
    }
  };
  const links = out('ip', ['-o', 'link', 'show']).split('\n').map((l) => l.split(':')[1]?.trim().split('@')[0] ?? '').filter((n) => n.startsWith('tdk'));
  const iptables = [...out('iptables', ['-S']).split('\n'), ...out('iptables', ['-t', 'nat', '-S']).split('\n')].filter((l) => l.includes('TDK'));
  return { cgroups, links, iptables };
}

export default async function setup(): Promise<() => void> {
  if (process.getuid?.() !== 0) throw new Error('the tests start real containers: run them as root (sudo npm test)');
  ensureInit();
  ensureMonitor();
  const root = projectRoot();
  execFileSync(process.execPath, [path.join(root, 'scripts/build.mjs'), '--quiet'], { stdio: 'inherit' });
  if (!fs.existsSync(path.join(imagesDir(), 'host', '.tiny-docker-image'))) {
    const { buildHostRootfs } = await import('../rootfs/host.ts');
    fs.mkdirSync(imagesDir(), { recursive: true });
    await buildHostRootfs(path.join(imagesDir(), 'host'));
  }
  void bestImage;
  const before = hostResidue();
  return () => {
    const after = hostResidue();
    const added = (k: keyof typeof before) => after[k].filter((x) => !before[k].includes(x));
    const leaks = [...added('cgroups'), ...added('links'), ...added('iptables')];
    if (leaks.length) {
      process.stderr.write(`\nthe test run left these behind on the host:\n  ${leaks.join("\n  ")}\n`);
      process.exitCode = 1; // a leak fails the run, even when every test passed
    }
  };
}
