/**
 * Host-local IPAM (IP address management), like CNI's host-local plugin: one
 * file per leased address, `<networkDir>/<bridge>/leases/<ip>`, holding the
 * container id and its published ports.
 *
 * Why a host-wide directory (/run/tiny-docker/network) and not the state
 * root: a bridge is one object of the host. Two state roots (two users, or
 * parallel test files with --root) on the same bridge must not hand out the
 * same address, and the bridge may only go away when nobody on the host uses
 * it. /run is a tmpfs, so leases vanish with the bridge at reboot.
 *
 * Everything that reads or changes leases, the bridge or its NAT rules runs
 * under one flock(2) (runtime/sys), synchronously: two async sections in one
 * process would deadlock on flock, and the kernel drops the lock if we die.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConfigError } from '../errors.ts';
import { isSameProcess, processStartTime } from '../store.ts';
import { withLockFile } from '../sys/lockfile.ts';
import { firstFree, formatIp, parseIp, parseSubnet, type Subnet } from './addr.ts';
import type { PortMapping } from './ports.ts';

/** A process as recorded in a lease: its pid and start time (so a reused pid is not mistaken for it). */
export interface Holder {
  pid: number;
  start: string | null;
}

export interface Lease {
  id: string;
  ip: string;
  bridge: string;
  /** The bridge's subnet when the lease was taken: all leases of a bridge share it. */
  subnet?: string;
  ports: PortMapping[];
  /** The tiny-docker process that took the lease. */
  owner?: Holder;
  /** The container's PID 1, once it exists (attach). */
  container?: Holder;
}

export function networkDir(): string {
  return path.resolve(process.env.TINY_DOCKER_NETWORK_DIR ?? '/run/tiny-docker/network');
}

export function leaseDir(bridge: string): string {
  return path.join(networkDir(), bridge, 'leases');
}

/** Run fn holding the host-wide network lock. fn must be synchronous. */
export function withNetworkLock<T>(fn: () => T): T {
  fs.mkdirSync(networkDir(), { recursive: true, mode: 0o755 });
  return withLockFile(path.join(networkDir(), 'lock'), fn);
}

/** The leases of one bridge, or of every bridge. Call under the lock. */
export function readLeases(bridge?: string): Lease[] {
  let bridges: string[];
  try {
    bridges = bridge ? [bridge] : fs.readdirSync(networkDir()).filter((b) => b !== 'lock');
  } catch {
    return [];
  }
  const leases: Lease[] = [];
  for (const b of bridges) {
    let files: string[] = [];
    try {
      files = fs.readdirSync(leaseDir(b));
    } catch {
      continue;
    }
    for (const f of files) {
      if (parseIp(f) === null) continue; // a temp file or something foreign
      try {
        leases.push(JSON.parse(fs.readFileSync(path.join(leaseDir(b), f), 'utf8')) as Lease);
      } catch {
        // half-written by a crashed run: still counts as taken
        leases.push({ id: '', ip: f, bridge: b, ports: [] });
      }
    }
  }
  return leases;
}

// lab:05-networking begin
/** Lease the lowest free address of the subnet to a container. Call under the lock. */
export function allocate(bridge: string, subnetText: string, id: string, ports: PortMapping[]): Lease {
  const subnet = parseSubnet(subnetText) as Subnet;
  const taken = new Set(readLeases(bridge).map((l) => parseIp(l.ip)!));
  const ip = firstFree(subnet, taken);
  if (ip === null) throw new ConfigError(`no free address left in ${subnetText} on bridge ${bridge}`, { hint: 'remove stopped containers, or set a larger TINY_DOCKER_SUBNET' });
  const lease: Lease = { id, ip: formatIp(ip), bridge, subnet: subnetText, ports, owner: { pid: process.pid, start: processStartTime(process.pid) } };
  fs.mkdirSync(leaseDir(bridge), { recursive: true });
  // 'wx' (O_EXCL): even if the lock were somehow bypassed, two runs cannot both create it.
  fs.writeFileSync(path.join(leaseDir(bridge), lease.ip), JSON.stringify(lease) + '\n', { flag: 'wx' });
  return lease;
}

/** Give the address back, only if it is still this container's. Idempotent. Call under the lock. */
export function release(bridge: string, ip: string, id: string): void {
  const file = path.join(leaseDir(bridge), ip);
  try {
    const lease = JSON.parse(fs.readFileSync(file, 'utf8')) as Lease;
    if (lease.id !== id) return; // already released, and re-leased to someone else
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    // unreadable: it was ours (we are releasing our own ip), remove it below
  }
  fs.rmSync(file, { force: true });
}
// lab:05-networking end

/** Record the container's PID 1 in its lease (it outlives the owner when detached). Call under the lock. */
export function recordContainer(bridge: string, ip: string, id: string, pid: number): void {
  const file = path.join(leaseDir(bridge), ip);
  const lease = JSON.parse(fs.readFileSync(file, 'utf8')) as Lease;
  if (lease.id !== id) return;
  lease.container = { pid, start: processStartTime(pid) };
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(lease) + '\n');
  fs.renameSync(tmp, file); // atomic: readers see the old or the new lease, never half
}

/**
 * A lease is stale when whoever holds it is gone: the container's PID 1 if
 * it started, else the process that took the lease. That happens when a
 * `run` is killed before it could clean up (kill -9, a closed pipe).
 */
export function isStale(lease: Lease): boolean {
  const holder = lease.container ?? lease.owner;
  if (!holder) return false; // unreadable or foreign: keep it, to be safe
  return !isSameProcess(holder.pid, holder.start);
}

/** Remove the bridge's empty lease directories once it has no leases. Call under the lock. */
export function forgetBridge(bridge: string): void {
  fs.rmSync(path.join(networkDir(), bridge), { recursive: true, force: true });
}
