/**
 * tiny-docker doctor: can this machine run containers? Each line is a pass
 * or a fail with the fix. Exit 0 when everything needed passes.
 */
import * as fs from 'node:fs';
import { execFileSync } from 'node:child_process';
import { chalk } from '../output.ts';
import { detectCgroupMode } from '../../cgroups/detect.ts';
import { initIsStale, initPath } from '../../init/binary.ts';
import { goArch } from '../../sys/numbers.ts';
import { bestImage } from '../../rootfs/images.ts';
import { imagesDir, stateRoot } from '../../paths.ts';
import { parseSubnet, type Subnet } from '../../network/addr.ts';
import { overlappingRoute } from '../../network/bridge.ts';
import { networkConfigFromFlags } from '../../network/config.ts';

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
  fix?: string;
  /** Optional checks warn instead of failing the doctor. */
  optional?: boolean;
}

function has(cmd: string, args: string[] = ['--version']): string | null {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).split('\n')[0]!.trim();
  } catch {
    return null;
  }
}

export function runChecks(): Check[] {
  const checks: Check[] = [];
  const root = process.getuid?.() === 0;
  checks.push({ name: 'running as root', ok: root, detail: root ? 'uid 0' : `uid ${process.getuid?.()}`, fix: 'run with sudo' });

  const kinds = ['mnt', 'uts', 'ipc', 'net', 'pid', 'cgroup'];
  const missing = kinds.filter((k) => !fs.existsSync(`/proc/self/ns/${k}`));
  checks.push({ name: 'kernel namespaces', ok: missing.length === 0, detail: missing.length ? `missing: ${missing.join(', ')}` : kinds.join(' '), fix: 'use a kernel built with CONFIG_NAMESPACES (any modern distribution kernel)' });

  const mode = detectCgroupMode();
  checks.push({ name: 'cgroups', ok: mode !== 'none', detail: mode === 'hybrid' ? 'hybrid (v1 controllers + empty v2 tree)' : mode, fix: 'mount cgroup2 at /sys/fs/cgroup' });

  const overlay = fs.readFileSync('/proc/filesystems', 'utf8').includes('overlay');
  checks.push({ name: 'overlayfs', ok: overlay, detail: overlay ? 'available' : 'not in /proc/filesystems', fix: 'modprobe overlay, or use --rootfs-mode bind' });

  const init = initPath();
  const built = !initIsStale(init);
  const cc = has('cc');
  checks.push({
    name: `tiny-init (linux-${goArch()})`,
    ok: built || cc !== null,
    detail: built ? init : cc ? 'not built yet; will be built on first run' : 'not built and no C compiler',
    fix: 'apt-get install -y gcc libc6-dev && npm run build:init',
  });

  const image = bestImage();
  checks.push({ name: 'rootfs prepared', ok: image !== null, detail: image ?? `none in ${imagesDir()}`, fix: 'npm run rootfs -- host   (offline; run also builds it on first use)', optional: true });

  const ip = has('ip', ['-V']);
  checks.push({ name: 'iproute2 (ip)', ok: ip !== null, detail: ip ?? 'not found', fix: 'apt-get install -y iproute2 (needed for --net bridge)', optional: true });
  const ipt = has('iptables');
  checks.push({ name: 'iptables', ok: ipt !== null, detail: ipt ?? 'not found', fix: 'apt-get install -y iptables (needed for NAT and -p)', optional: true });
  if (ip !== null) checks.push(bridgeSubnetCheck());
  checks.push({ name: 'state root', ok: true, detail: stateRoot() });
  return checks;
}

/** The bridge's subnet must not overlap a route of the host (TINY_DOCKER_SUBNET changes it). */
function bridgeSubnetCheck(): Check {
  const name = 'bridge subnet';
  const fix = 'set TINY_DOCKER_SUBNET to a free private range, e.g. 10.89.0.0/24 (or use --net none)';
  try {
    const cfg = networkConfigFromFlags({});
    const clash = overlappingRoute(cfg.bridge, parseSubnet(cfg.subnet) as Subnet);
    return { name, ok: clash === null, detail: clash ? `${cfg.subnet} overlaps the host route "${clash}"` : `${cfg.bridge} ${cfg.subnet}`, fix, optional: true };
  } catch (err) {
    return { name, ok: false, detail: (err as Error).message, fix, optional: true };
  }
}

export default async function doctor(argv: string[]): Promise<number> {
  const checks = runChecks();
  const failed = checks.filter((c) => !c.ok && !c.optional);
  if (argv.includes('--json')) {
    process.stdout.write(JSON.stringify({ ok: failed.length === 0, checks }, null, 2) + '\n');
    return failed.length ? 1 : 0;
  }
  for (const c of checks) {
    const mark = c.ok ? chalk.green('✔') : c.optional ? chalk.yellow('!') : chalk.red('✘');
    process.stdout.write(`${mark} ${c.name.padEnd(24)} ${c.ok ? chalk.dim(c.detail) : c.detail}\n`);
    if (!c.ok && c.fix) process.stdout.write(`  ${chalk.dim('fix:')} ${c.fix}\n`);
  }
  process.stdout.write(failed.length ? chalk.red(`\n${failed.length} problem(s) to fix before running containers\n`) : chalk.green('\nready to run containers\n'));
  return failed.length ? 1 : 0;
}
