/**
 * The network Feature: wires a container into the bridge (or, for
 * --net none, just brings up lo). The order of the lifecycle:
 *
 *   prepare   lock: check ports, lease an IP, ensure bridge + NAT, add DNAT
 *             (the IP is known before the window, so /etc/hosts can name it)
 *   attach    veth pair into tiny-init's netns, address, route
 *   cleanup   delete the veth, lock: DNAT rules, lease, and with the last
 *             lease the NAT chains and the bridge
 *
 * cleanup needs only spec.features.network and facts.network, so a detached
 * container's monitor or `rm` can run it in another process; it is safe to
 * run twice and after a crash.
 */
import { ConfigError, TinyDockerError } from '../errors.ts';
import { CommandError } from '../sys/errors.ts';
import type { ContainerContext, Feature, FeatureFactory } from '../features.ts';
import { shortId } from '../ids.ts';
import type { ContainerSpec } from '../spec.ts';
import { setPhase } from '../sys/trace.ts';
import { formatIp, gatewayOf, parseSubnet, type Subnet } from './addr.ts';
import { bridgeExists, deleteBridge, ensureBridge } from './bridge.ts';
import type { NetworkConfig, NetworkMode } from './config.ts';
import { allocate, forgetBridge, isStale, readLeases, recordContainer, release, withNetworkLock } from './ipam.ts';
import { applyRules, chainExists, ensureNat, listChain, postChain, removeNat } from './nat.ts';
import { clashes, deleteLinesFor, dnatChain, dnatRules, formatMapping, type PortMapping } from './ports.ts';
import { createVeth, deleteVeth, hostVethName, loopbackUp } from './veth.ts';

/** What the network feature records in state.json (facts.network). */
export interface NetworkFacts {
  mode: NetworkMode;
  ip?: string;
  /** Prefix length of the subnet, e.g. 16. */
  prefix?: number;
  gateway?: string;
  bridge?: string;
  hostVeth?: string;
  ports?: PortMapping[];
}

const factsOf = (ctx: ContainerContext) => ctx.facts.network as NetworkFacts | undefined;

class BridgeNetwork implements Feature {
  readonly name = 'network';
  constructor(private readonly cfg: NetworkConfig) {}

  async prepare(ctx: ContainerContext): Promise<void> {
    const { cfg } = this;
    const id = ctx.spec.id;
    setPhase('network');
    withNetworkLock(() => explainMissingTools(() => {
      // Leases of runs that died without cleaning up (kill -9) would block their address and ports forever.
      for (const stale of readLeases().filter(isStale)) undoLease(stale.bridge, stale.ip, stale.id, stale.ports.length > 0);
      // A host port belongs to one container on the whole host (any bridge).
      for (const m of cfg.ports) {
        const owner = readLeases().find((l) => l.ports.some((p) => clashes(p, m)));
        if (owner) throw new ConfigError(`host port ${formatMapping(m)} is already published by container ${shortId(owner.id)}`);
      }
      const others = readLeases(cfg.bridge);
      const differs = others.find((l) => l.subnet && l.subnet !== cfg.subnet);
      if (differs) {
        throw new ConfigError(`bridge ${cfg.bridge} is in use with subnet ${differs.subnet}, not ${cfg.subnet}`, {
          hint: 'keep TINY_DOCKER_SUBNET while its containers run, or pick another bridge with TINY_DOCKER_BRIDGE',
        });
      }
      const lease = allocate(cfg.bridge, cfg.subnet, id, cfg.ports);
      const subnet = parseSubnet(cfg.subnet) as Subnet;
      // Recorded at once: from here on, cleanup knows what to undo even if the next lines fail.
      ctx.facts.network = {
        mode: 'bridge',
        ip: lease.ip,
        prefix: subnet.prefix,
        gateway: formatIp(gatewayOf(subnet)),
        bridge: cfg.bridge,
        hostVeth: hostVethName(id),
        ports: cfg.ports,
      } satisfies NetworkFacts;
      // The bridge and its NAT exist exactly while it has leases (both change
      // only under this lock), so only the first container sets them up.
      if (others.length === 0 || !bridgeExists(cfg.bridge)) {
        ensureBridge(cfg.bridge, cfg.subnet);
        ensureNat(cfg.bridge, cfg.subnet);
      }
      applyRules('nat', dnatRules(cfg.bridge, id, lease.ip, cfg.ports));
    }));
  }

  async attach(ctx: ContainerContext, pid: number): Promise<void> {
    const f = factsOf(ctx)!;
    createVeth({ hostVeth: f.hostVeth!, bridge: f.bridge!, pid, cidr: `${f.ip}/${f.prefix}`, gateway: f.gateway! });
    withNetworkLock(() => recordContainer(f.bridge!, f.ip!, ctx.spec.id, pid));
  }

  async cleanup(ctx: ContainerContext): Promise<void> {
    const f = factsOf(ctx);
    if (!f || f.mode !== 'bridge' || !f.bridge) return;
    const bridge = f.bridge;
    withNetworkLock(() => undoLease(bridge, f.ip, ctx.spec.id, (f.ports?.length ?? 0) > 0));
  }
}

/**
 * Give back what one lease holds: its DNAT rules, the address, and with the
 * last lease on the bridge (on the whole host) the NAT chains and the bridge
 * itself. Idempotent. Call under the network lock.
 */
function undoLease(bridge: string, ip: string | undefined, id: string, hasPorts: boolean): void {
  deleteVeth(hostVethName(id)); // no-op when it is already gone
  if (hasPorts) applyRules('nat', deleteLinesFor(listChain('nat', dnatChain(bridge)), id));
  if (ip) release(bridge, ip, id);
  // lab:05-networking begin
  if (readLeases(bridge).length === 0) {
    forgetBridge(bridge); // first: the bookkeeping must not depend on the tools below working
    if (bridgeExists(bridge) || chainExists('nat', postChain(bridge))) removeNat(bridge);
    deleteBridge(bridge);
  }
  // lab:05-networking end
}

/** `ip` or `iptables` not installed: say which package, instead of a spawn ENOENT. */
function explainMissingTools<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof CommandError && err.exitCode === null && err.signal === null && /ENOENT/.test(err.stderr)) {
      const tool = err.command.split(' ')[0];
      throw new TinyDockerError(`--net bridge needs ${tool}, which is not installed`, {
        hint: 'install iproute2 and iptables (apt-get install iproute2 iptables), or run with --net none',
      });
    }
    throw err;
  }
}

/** --net none: a netns of its own with only lo, and lo up. */
class LoopbackOnly implements Feature {
  readonly name = 'network';
  async attach(ctx: ContainerContext, pid: number): Promise<void> {
    ctx.facts.network = { mode: 'none' } satisfies NetworkFacts;
    loopbackUp(pid);
  }
}

export const networkFactory: FeatureFactory = {
  name: 'network',
  create(spec: ContainerSpec): Feature | null {
    const cfg = spec.features.network as NetworkConfig | undefined;
    // --net host uses the host's netns: nothing to set up (and nothing isolated).
    if (!cfg || cfg.mode === 'host') return null;
    return cfg.mode === 'none' ? new LoopbackOnly() : new BridgeNetwork(cfg);
  },
};
