/**
 * /etc/hostname, /etc/hosts and /etc/resolv.conf are generated per container
 * in its state dir and bind-mounted over the rootfs's files, as Docker does:
 * the shared image is never written.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ContainerSpec } from '../spec.ts';

export function hostsFile(hostname: string, ip?: string): string {
  return [
    '127.0.0.1\tlocalhost',
    '::1\tlocalhost ip6-localhost ip6-loopback',
    ip ? `${ip}\t${hostname}` : `127.0.1.1\t${hostname}`,
    '',
  ].join('\n');
}

/** The host's resolv.conf without loopback resolvers, which mean nothing inside a netns. */
export function resolvConf(hostText: string): string {
  const lines = hostText.split('\n').filter((l) => !/^\s*nameserver\s+(127\.|::1)/.test(l));
  return lines.join('\n').trimEnd() + '\n';
}

/** Write the files; returns container path → host file to bind. */
export function writeEtcFiles(dir: string, spec: ContainerSpec, facts: Record<string, unknown>): Record<string, string> {
  const etc = path.join(dir, 'etc');
  fs.mkdirSync(etc, { recursive: true });
  const files: Record<string, string> = {
    '/etc/hostname': spec.hostname + '\n',
    '/etc/hosts': hostsFile(spec.hostname, (facts.network as { ip?: string } | undefined)?.ip),
  };
  let hostResolv = '';
  try {
    hostResolv = fs.readFileSync('/etc/resolv.conf', 'utf8');
  } catch {
    // no resolver on the host: the container gets an empty file
  }
  files['/etc/resolv.conf'] = resolvConf(hostResolv);
  const binds: Record<string, string> = {};
  for (const [target, content] of Object.entries(files)) {
    const file = path.join(etc, path.basename(target));
    fs.writeFileSync(file, content);
    binds[target] = file;
  }
  // A bind mount needs an existing target; in bind mode we cannot create
  // files in the user's directory without changing it, so we skip those.
  if (spec.rootfsMode === 'bind') {
    for (const target of Object.keys(binds)) if (!fs.existsSync(path.join(spec.rootfs, target))) delete binds[target];
  }
  return binds;
}
