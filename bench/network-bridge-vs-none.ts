/**
 * What --net bridge costs: in-process runContainer() + wait() of /bin/true
 * with --net bridge against --net none, median of N runs each.
 *
 *   cold  each run is the only container: it creates the bridge + NAT and
 *         removes them again (the first and last user of the bridge)
 *   warm  a sleeping container keeps the bridge: only lease + veth + cleanup
 *
 * Run as root: sudo npx tsx bench/network-bridge-vs-none.ts [N]
 * Uses a scratch bridge and subnet, a private state root; no traffic.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runContainer } from '../runtime/container.ts';
import { Store } from '../runtime/store.ts';
import { HOST_ROOTFS } from '../test/helpers.ts';
import { specFor, uniqueNetwork } from '../test/network.ts';

const N = Number(process.argv[2] ?? 30);
const env = uniqueNetwork();
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tdk-bench-net-'));
const store = new Store(root);
const once = async (net: string, cmd = ['/bin/true']) => {
  const c = await runContainer(specFor(HOST_ROOTFS, cmd, { net, env }), { store, stdio: ['ignore', 'ignore', 'ignore'] });
  return c;
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
/** Alternate the two modes run by run, so a change in load hits both alike. */
async function pair(): Promise<{ none: number; bridge: number }> {
  const t: Record<string, number[]> = { none: [], bridge: [] };
  for (let i = 0; i < N + 3; i++) {
    for (const net of ['none', 'bridge']) {
      const start = performance.now();
      await (await once(net)).wait();
      if (i >= 3) t[net]!.push(performance.now() - start);
    }
  }
  return { none: median(t.none!), bridge: median(t.bridge!) };
}

try {
  const cold = await pair();
  const keeper = await once('bridge', ['/bin/sleep', '600']);
  const warm = await pair().finally(async () => {
    keeper.kill('SIGKILL');
    await keeper.wait();
  });
  const line = (label: string, r: { none: number; bridge: number }) =>
    console.log(`${label}  none ${r.none.toFixed(1)} ms  bridge ${r.bridge.toFixed(1)} ms  ratio ${(r.bridge / r.none).toFixed(2)}x  (+${(r.bridge - r.none).toFixed(1)} ms, n=${N})`);
  line('cold (bridge + NAT made and removed each run)', cold);
  line('warm (another container keeps the bridge)    ', warm);
} finally {
  fs.rmSync(root, { recursive: true, force: true });
}
