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
async function measure(net: string): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < N + 3; i++) {
    const t = performance.now();
    await (await once(net)).wait();
    if (i >= 3) times.push(performance.now() - t);
  }
  return median(times);
}

try {
  const none = await measure('none');
  const cold = await measure('bridge');
  const keeper = await once('bridge', ['/bin/sleep', '600']);
  const warm = await measure('bridge');
  keeper.kill('SIGKILL');
  await keeper.wait();
  const noneAgain = await measure('none');
  const base = (none + noneAgain) / 2;
  console.log(`--net none            median ${none.toFixed(1)} ms, again ${noneAgain.toFixed(1)} ms (n=${N})`);
  console.log(`--net bridge (cold)   median ${cold.toFixed(1)} ms  ratio ${(cold / base).toFixed(2)}x  (creates + removes bridge and NAT each run)`);
  console.log(`--net bridge (warm)   median ${warm.toFixed(1)} ms  ratio ${(warm / base).toFixed(2)}x  (bridge kept by another container)`);
} finally {
  fs.rmSync(root, { recursive: true, force: true });
}
