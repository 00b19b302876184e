/**
 * NAT and forwarding for one bridge, in our own iptables chains so they are
 * easy to count, read and remove (as Docker's DOCKER / DOCKER-POSTROUTING):
 *
 *   nat    PREROUTING  -m addrtype --dst-type LOCAL → TDK-DNAT-<br>   published ports (ports.ts)
 *   nat    OUTPUT      -m addrtype --dst-type LOCAL → TDK-DNAT-<br>   … also from the host itself
 *   nat    POSTROUTING                              → TDK-POST-<br>
 *            -s <subnet> ! -o <br> MASQUERADE   containers reach out with the host's address
 *            -s 127.0.0.0/8 -o <br> MASQUERADE  host loopback → container gets a real source
 *   filter FORWARD                                  → TDK-FWD-<br>
 *            -i <br> ACCEPT; -o <br> RELATED,ESTABLISHED,DNAT ACCEPT
 *
 * The rules are installed with the bridge (first container) and removed with
 * it (last container). Each change is one `iptables-restore --noflush` call:
 * one process and one atomic commit instead of a dozen `iptables` runs.
 */
import { runSync } from '../sys/commands.ts';
import { writeKernelFile } from '../sys/files.ts';
import { dnatChain } from './ports.ts';

export const postChain = (bridge: string) => `TDK-POST-${bridge}`;
export const forwardChain = (bridge: string) => `TDK-FWD-${bridge}`;

/** The jumps from the built-in chains into ours, as [table, rule] (rule without -I/-D). */
function jumps(bridge: string): [string, string][] {
  return [
    ['nat', `PREROUTING -m addrtype --dst-type LOCAL -j ${dnatChain(bridge)}`],
    ['nat', `OUTPUT -m addrtype --dst-type LOCAL -j ${dnatChain(bridge)}`],
    ['nat', `POSTROUTING -j ${postChain(bridge)}`],
    ['filter', `FORWARD -j ${forwardChain(bridge)}`],
  ];
}

/** iptables-restore input that creates the chains, their rules and the jumps. Pure. */
export function natSetupRules(bridge: string, subnet: string): string {
  const [pre, out, post, fwd] = jumps(bridge).map(([, r]) => `-I ${r}`);
  return [
    '*nat',
    // ":CHAIN - [0:0]" declares (creates, or empties) a user chain.
    `:${dnatChain(bridge)} - [0:0]`,
    `:${postChain(bridge)} - [0:0]`,
    // lab:05-networking begin
    // MASQUERADE: rewrite the source to the outgoing interface's address,
    // so replies to a container's 10.88.x.y come back to this host.
    `-A ${postChain(bridge)} -s ${subnet} ! -o ${bridge} -j MASQUERADE`,
    // lab:05-networking end
    `-A ${postChain(bridge)} -s 127.0.0.0/8 -o ${bridge} -j MASQUERADE`,
    pre,
    out,
    post,
    'COMMIT',
    '*filter',
    `:${forwardChain(bridge)} - [0:0]`,
    `-A ${forwardChain(bridge)} -i ${bridge} -j ACCEPT`,
    `-A ${forwardChain(bridge)} -o ${bridge} -m conntrack --ctstate RELATED,ESTABLISHED,DNAT -j ACCEPT`,
    fwd,
    'COMMIT',
    '',
  ].join('\n');
}

function restore(input: string, allowFailure = false): boolean {
  // -w: wait for the xtables lock instead of failing when another iptables runs.
  return runSync('iptables-restore', ['-w', '--noflush'], { input, allowFailure }).exitCode === 0;
}

export function chainExists(table: string, chain: string): boolean {
  return runSync('iptables', ['-w', '-t', table, '-S', chain], { allowFailure: true }).exitCode === 0;
}

/** Install the bridge's NAT (once) and turn on forwarding. Call under the network lock. */
export function ensureNat(bridge: string, subnet: string): void {
  // lab:05-networking begin
  // Without ip_forward the host drops every packet that is not for itself:
  // containers could talk to the host, but not through it.
  writeKernelFile('/proc/sys/net/ipv4/ip_forward', '1');
  // lab:05-networking end
  if (chainExists('nat', postChain(bridge))) return;
  restore(natSetupRules(bridge, subnet));
}

/** iptables-restore input that removes the jumps and chains again. Pure. */
export function natTeardownRules(bridge: string): string {
  const del = (table: string) => jumps(bridge).filter(([t]) => t === table).map(([, r]) => `-D ${r}`);
  const chains: Record<string, string[]> = { nat: [dnatChain(bridge), postChain(bridge)], filter: [forwardChain(bridge)] };
  // -F empties a chain, -X deletes it (possible only once nothing jumps to it).
  const table = (t: string) => [`*${t}`, ...del(t), ...chains[t]!.map((c) => `-F ${c}`), ...chains[t]!.map((c) => `-X ${c}`), 'COMMIT'];
  return [...table('nat'), ...table('filter'), ''].join('\n');
}

/** Remove the bridge's jumps and chains. Idempotent. */
export function removeNat(bridge: string): void {
  // The usual case: everything is there, one atomic commit removes it.
  if (restore(natTeardownRules(bridge), true)) return;
  // After a crash some pieces may be missing, and one missing rule fails the
  // whole commit: remove what is left line by line, ignoring "not found".
  for (const line of natTeardownRules(bridge).split('\n')) {
    if (!line.startsWith('-')) continue;
    const table = line.includes(forwardChain(bridge)) ? 'filter' : 'nat';
    restore(`*${table}\n${line}\nCOMMIT\n`, true);
  }
}

/** Apply -A/-D lines to one table in one commit (this container's DNAT rules). */
export function applyRules(table: 'nat' | 'filter', lines: string[]): void {
  if (lines.length === 0) return;
  restore([`*${table}`, ...lines, 'COMMIT', ''].join('\n'));
}

/** The current rules of one chain, as `iptables -S` prints them ('' if it is gone). */
export function listChain(table: string, chain: string): string {
  return runSync('iptables', ['-w', '-t', table, '-S', chain], { allowFailure: true }).stdout;
}
