/**
 * Shared test helpers: a private state root per test file, the CLI as a
 * process, and counters that prove cleanup (mounts, state dirs, links…).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { projectRoot } from '../runtime/init/binary.ts';
import { imagesDir } from '../runtime/paths.ts';

export const ROOT = projectRoot();
export const BIN = path.join(ROOT, 'bin', 'tiny-docker');
export const HOST_ROOTFS = path.join(imagesDir(), 'host');

/** A fresh, unique state root; removed by the returned cleanup. */
export function tempRoot(label = 'test'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `tdk-${label}-`));
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run the real CLI (bundle) with a private --root. */
export function cli(root: string, args: string[], opts: { input?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): CliResult {
  const r: SpawnSyncReturns<string> = spawnSync(BIN, ['--root', root, ...args], {
    encoding: 'utf8',
    input: opts.input ?? '',
    env: { ...process.env, FORCE_COLOR: '0', ...opts.env },
    timeout: opts.timeoutMs ?? 60_000,
  });
  return { code: r.status ?? 128, stdout: r.stdout, stderr: r.stderr };
}

/** Lines of /proc/self/mountinfo: what a leaked mount would change. */
export function mountCount(): number {
  return fs.readFileSync('/proc/self/mountinfo', 'utf8').trim().split('\n').length;
}

/** Entries in the state root's containers directory. */
export function stateEntries(root: string): string[] {
  try {
    return fs.readdirSync(path.join(root, 'containers'));
  } catch {
    return [];
  }
}

/** Host namespace inodes, to prove we always came back to them. */
export function hostNamespaces(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of ['mnt', 'uts', 'ipc', 'net', 'pid', 'cgroup']) out[k] = fs.readlinkSync(`/proc/self/ns/${k}`);
  return out;
}

import { newId, shortId } from '../runtime/ids.ts';
import { buildEnv, type ContainerSpec } from '../runtime/spec.ts';

/** A ContainerSpec for in-process tests: host rootfs, all namespaces, --net none. */
export function makeSpec(command: string[], over: Partial<ContainerSpec> = {}): ContainerSpec {
  const id = newId();
  const hostname = over.hostname ?? shortId(id);
  return {
    id,
    name: `t-${shortId(id)}`,
    rootfs: HOST_ROOTFS,
    rootfsMode: 'overlay',
    command,
    env: buildEnv([], hostname, false),
    workdir: '/',
    hostname,
    isolation: 'pivot_root',
    namespaces: { mnt: true, uts: true, ipc: true, net: true, pid: true },
    readOnly: false,
    autoRemove: true,
    features: {},
    ...over,
  };
}

/** Collect a readable stream into a string. */
export async function collect(stream: NodeJS.ReadableStream | null): Promise<string> {
  if (!stream) return '';
  let out = '';
  stream.setEncoding('utf8');
  for await (const chunk of stream) out += chunk as string;
  return out;
}
