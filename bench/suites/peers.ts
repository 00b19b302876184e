/**
 * Peers: other ways to start /bin/true in the same rootfs with the same
 * namespaces (pid, uts, ipc, net, mnt). Missing peers are marked, not dropped;
 * a peer that refuses this machine (crun on hybrid cgroups) shows its error.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { scratchDir, type BenchContext } from '../lib/context.ts';
import type { Planned } from '../lib/measure.ts';
import { onPath, runProcess } from '../lib/process.ts';
import { unavailable } from '../lib/rows.ts';

export async function peerTasks(ctx: BenchContext): Promise<Planned[]> {
  return [unshareTask(ctx), ...(await ociTasks(ctx))];
}

function unshareTask(ctx: BenchContext): Planned {
  const what = `unshare -fpumin --mount-proc chroot R /bin/true`;
  const label = 'unshare(1) + chroot';
  if (!onPath('unshare')) return unavailable('peer-unshare', 'peer', label, what, 'unshare is not installed (util-linux)');
  if (!ctx.isRoot) return unavailable('peer-unshare', 'peer', label, what, 'needs root');
  return {
    row: { id: 'peer-unshare', group: 'peer', label, what },
    fn: () => runProcess('unshare', ['-fpumin', '--mount-proc', 'chroot', ctx.rootfs, '/bin/true']),
  };
}

/**
 * An OCI bundle around the same rootfs: `runc spec` writes the default
 * config.json (pid, network, ipc, uts, mount namespaces, like ours); we point
 * it at the rootfs and run /bin/true without a terminal.
 */
async function makeBundle(ctx: BenchContext, runtime: string): Promise<string> {
  const bundle = scratchDir(ctx, `${runtime}-bundle`);
  fs.rmSync(path.join(bundle, 'config.json'), { force: true });
  await runProcess(onPath('runc') ? 'runc' : runtime, ['spec'], { cwd: bundle });
  const config = JSON.parse(fs.readFileSync(path.join(bundle, 'config.json'), 'utf8'));
  config.root = { path: ctx.rootfs, readonly: false };
  config.process.terminal = false;
  config.process.args = ['/bin/true'];
  fs.writeFileSync(path.join(bundle, 'config.json'), JSON.stringify(config, null, 2));
  return bundle;
}

async function ociTasks(ctx: BenchContext): Promise<Planned[]> {
  const rows: Planned[] = [];
  for (const runtime of ['runc', 'crun']) {
    const id = `peer-${runtime}`;
    const label = `${runtime} run`;
    const what = `${runtime} --root S run --bundle B ID (OCI bundle of the same rootfs)`;
    if (!onPath(runtime)) {
      rows.push(unavailable(id, 'peer', label, what, `${runtime} is not installed (apt-get install ${runtime})`));
      continue;
    }
    if (!ctx.isRoot) {
      rows.push(unavailable(id, 'peer', label, what, 'needs root'));
      continue;
    }
    const bundle = await makeBundle(ctx, runtime);
    const stateRoot = scratchDir(ctx, `${runtime}-state`); // private --root: never touches the host's runc state
    let n = 0;
    rows.push({
      row: { id, group: 'peer', label, what },
      fn: async () => {
        const name = `tdk-bench-${process.pid}-${n++}`;
        try {
          // `run` waits for the exit and deletes the container itself.
          await runProcess(runtime, ['--root', stateRoot, 'run', '--bundle', bundle, name]);
        } catch (err) {
          await runProcess(runtime, ['--root', stateRoot, 'delete', '-f', name]).catch(() => undefined);
          throw err;
        }
      },
      done: (row) => {
        if (row.status === 'error' && row.note) row.note = `refused on this host: ${row.note}`;
      },
    });
  }
  return rows;
}
