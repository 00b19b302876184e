/**
 * How to wire one container's network, measured: the per-container part of
 * --net bridge (a veth pair into a netns, address, route) done three ways.
 *
 *   batch+setns   one `ip -batch` on the host, one inside (thread setns'd into the netns)
 *   separate      the same 7 requests as 7 `ip` processes
 *   batch+nsenter the inside batch through nsenter(1) instead of setns
 *
 * Run as root: sudo npx tsx bench/network-setup.ts [iterations]
 * It makes a scratch bridge and one netns (an `unshare -n sleep` process)
 * and removes both; no traffic is sent.
 */
import { spawn } from 'node:child_process';
import { inNamespacesOf } from '../runtime/namespaces.ts';
import { runSync } from '../runtime/sys/commands.ts';
import { containerCommands, deleteVeth, hostCommands, type VethPlan } from '../runtime/network/veth.ts';

const N = Number(process.argv[2] ?? 30);
const BRIDGE = 'tdkbench';
const holder = spawn('unshare', ['-n', 'sleep', '600'], { stdio: 'ignore' });
await new Promise((r) => setTimeout(r, 200));
const pid = holder.pid!;
runSync('ip', ['-batch', '-'], { input: `link add ${BRIDGE} type bridge\naddr add 10.239.77.1/24 dev ${BRIDGE}\nlink set ${BRIDGE} up\n` });
const plan: VethPlan = { hostVeth: 'tdkbenchv0', bridge: BRIDGE, pid, cidr: '10.239.77.2/24', gateway: '10.239.77.1' };
const lines = (s: string) => s.trim().split('\n');

const variants: Record<string, () => void> = {
  'batch+setns': () => {
    runSync('ip', ['-batch', '-'], { input: hostCommands(plan) });
    inNamespacesOf(pid, ['net'], () => runSync('ip', ['-batch', '-'], { input: containerCommands(plan) }));
  },
  separate: () => {
    for (const l of lines(hostCommands(plan))) runSync('ip', l.split(' '));
    inNamespacesOf(pid, ['net'], () => {
      for (const l of lines(containerCommands(plan))) runSync('ip', l.split(' '));
    });
  },
  'batch+nsenter': () => {
    runSync('ip', ['-batch', '-'], { input: hostCommands(plan) });
    runSync('nsenter', [`--net=/proc/${pid}/ns/net`, 'ip', '-batch', '-'], { input: containerCommands(plan) });
  },
};

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
try {
  // Round-robin, so a change in machine load hits every variant alike.
  const times: Record<string, number[]> = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
  for (let i = 0; i < N + 3; i++) {
    for (const [name, fn] of Object.entries(variants)) {
      const t = performance.now();
      fn();
      if (i >= 3) times[name]!.push(performance.now() - t); // 3 warm-ups
      deleteVeth(plan.hostVeth);
    }
  }
  for (const [name, ts] of Object.entries(times)) {
    console.log(`${name.padEnd(14)} median ${median(ts).toFixed(2)} ms  (min ${Math.min(...ts).toFixed(2)}, n=${N})`);
  }
} finally {
  deleteVeth(plan.hostVeth);
  runSync('ip', ['link', 'del', BRIDGE], { allowFailure: true });
  holder.kill('SIGKILL');
}
