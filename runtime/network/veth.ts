/**
 * A veth pair is a virtual cable: what goes in one end comes out of the
 * other. One end stays on the host and plugs into the bridge; the other is
 * created directly inside the container's network namespace as `eth0`.
 *
 *   host netns                          container netns (tiny-init's)
 *   tdk0 (bridge, 10.88.0.1) ── tdk1a2b3c4d ══ eth0 (10.88.0.2) + lo
 *
 * The container's netns exists as soon as tiny-init is spawned (the window
 * unshared CLONE_NEWNET), so this runs in Feature.attach, before the go
 * signal: the command starts with its network already up.
 */
import * as fs from 'node:fs';
import { inNamespacesOf } from '../namespaces.ts';
import { runSync } from '../sys/commands.ts';

/** The host end's name, from the container id: `tdk` + 8 hex digits (IFNAMSIZ allows 15). */
export function hostVethName(id: string): string {
  return `tdk${id.slice(0, 8)}`;
}

export interface VethPlan {
  hostVeth: string;
  bridge: string;
  /** tiny-init's pid: `netns PID` names its network namespace. */
  pid: number;
  /** The container's address with prefix, e.g. 10.88.0.2/16. */
  cidr: string;
  gateway: string;
}

// lab:05-networking begin
/** The host side, as one `ip -batch` program. */
export function hostCommands(p: VethPlan): string {
  return [
    // Create both ends at once, the peer straight in the container's netns:
    // no temporary name can clash with another interface on the host.
    `link add ${p.hostVeth} type veth peer name eth0 netns ${p.pid}`,
    `link set ${p.hostVeth} master ${p.bridge}`, // plug it into the switch
    `link set ${p.hostVeth} up`,
    '',
  ].join('\n');
}

/** The container side, run with the thread inside its netns. */
export function containerCommands(p: VethPlan): string {
  return [
    'link set lo up', // a new netns has lo, but down: 127.0.0.1 would not work
    `addr add ${p.cidr} dev eth0`,
    'link set eth0 up',
    `route add default via ${p.gateway} dev eth0`, // everything else goes to the bridge
    '',
  ].join('\n');
}
// lab:05-networking end

export function createVeth(p: VethPlan): void {
  runSync('ip', ['-batch', '-'], { input: hostCommands(p) });
  // spawnSync forks from the calling thread, and a child inherits that
  // thread's namespaces: entering the container's netns around it runs
  // `ip` inside, without nsenter or a named netns in /run/netns.
  inNamespacesOf(p.pid, ['net'], () => runSync('ip', ['-batch', '-'], { input: containerCommands(p) }));
}

/** For --net none: only bring lo up. */
export function loopbackUp(pid: number): void {
  inNamespacesOf(pid, ['net'], () => runSync('ip', ['link', 'set', 'lo', 'up']));
}

/**
 * Delete the host end (its peer goes with it). The kernel also deletes the
 * pair when the container's netns dies, but a netns can outlive PID 1 (a
 * bind mount, a process that setns'd into it), so do not rely on that.
 * Idempotent: a missing device is fine.
 */
export function deleteVeth(hostVeth: string): void {
  if (!fs.existsSync(`/sys/class/net/${hostVeth}`)) return; // usual: it died with the netns
  runSync('ip', ['link', 'del', hostVeth], { allowFailure: true });
}
