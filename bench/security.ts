/**
 * What the default security setup costs per container: `runContainer`
 * (in-process, warm) of /bin/true with Docker's defaults (14 capabilities,
 * seccomp filter, masked and read-only /proc paths) against
 * `--security-opt seccomp=unconfined --privileged` (none of it).
 *
 *   sudo npx tsx bench/security.ts [runs=30]
 *
 * Prints the medians and their ratio; the modes alternate run by run, so
 * drift on a shared machine hits both alike. Also times compiling the
 * default seccomp profile to BPF on its own (it is cached per capability set).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runContainer } from '../runtime/container.ts';
import { newId, shortId } from '../runtime/ids.ts';
import { imagesDir } from '../runtime/paths.ts';
import { securityConfigFromFlags, type SecurityFlags } from '../runtime/security/config.ts';
import { DEFAULT_CAPABILITIES } from '../runtime/security/capabilities.ts';
import { compileProfile, nodeArchToSeccomp } from '../runtime/security/seccomp/compile.ts';
import { defaultProfile } from '../runtime/security/seccomp/default-profile.ts';
import { buildEnv, type ContainerSpec } from '../runtime/spec.ts';
import { Store } from '../runtime/store.ts';

const runs = Number(process.argv[2] ?? 30);
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tdk-bench-security-'));
const store = new Store(root);

function spec(flags: SecurityFlags): ContainerSpec {
  const id = newId();
  return {
    id,
    name: `bench-${shortId(id)}`,
    rootfs: path.join(imagesDir(), 'host'),
    rootfsMode: 'overlay',
    command: ['/bin/true'],
    env: buildEnv([], 'bench', false),
    workdir: '/',
    hostname: 'bench',
    isolation: 'pivot_root',
    namespaces: { mnt: true, uts: true, ipc: true, pid: true, net: true },
    readOnly: false,
    autoRemove: true,
    features: { security: securityConfigFromFlags(flags) },
  };
}

async function once(flags: SecurityFlags): Promise<number> {
  const t0 = performance.now();
  const c = await runContainer(spec(flags), { store, stdio: ['ignore', 'ignore', 'inherit'] });
  const { exitCode } = await c.wait();
  if (exitCode !== 0) throw new Error(`/bin/true exited ${exitCode}`);
  return performance.now() - t0;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

const modes: Record<string, SecurityFlags> = {
  default: {},
  'seccomp=unconfined --privileged': { privileged: true, securityOpt: ['seccomp=unconfined'] },
};
const times: Record<string, number[]> = { default: [], 'seccomp=unconfined --privileged': [] };
try {
  for (const flags of Object.values(modes)) await once(flags); // warm up both paths
  for (let i = 0; i < runs; i++) {
    for (const [name, flags] of Object.entries(modes)) times[name]!.push(await once(flags));
  }
  const compile: number[] = [];
  for (let i = 0; i < 200; i++) {
    const t0 = performance.now();
    compileProfile(defaultProfile(), { arch: nodeArchToSeccomp(process.arch), caps: DEFAULT_CAPABILITIES, kernel: os.release() });
    compile.push(performance.now() - t0);
  }
  const d = median(times.default!), p = median(times['seccomp=unconfined --privileged']!);
  console.log(`runContainer /bin/true, median of ${runs} (ms):`);
  console.log(`  default security                   ${d.toFixed(2)}`);
  console.log(`  seccomp=unconfined --privileged    ${p.toFixed(2)}`);
  console.log(`  ratio default / privileged         ${(d / p).toFixed(3)}  (difference ${(d - p).toFixed(2)} ms)`);
  console.log(`compile the default profile to BPF: median ${(median(compile) * 1000).toFixed(0)} µs (cached per capability set at run time)`);
} finally {
  fs.rmSync(root, { recursive: true, force: true });
}
