/**
 * Start containers through the runtime API in this very process, exactly as
 * `tiny-docker run` builds them: the CLI's own flag parser turns run flags
 * into a ContainerSpec (with spec.features filled by whichever features
 * exist on this branch), then runContainer + wait.
 */
import { parseArgs } from '../../runtime/cli/args.ts';
import { RUN_FLAGS, applyFeatureFlags, specFromFlags } from '../../runtime/cli/run-options.ts';
import { runContainer } from '../../runtime/container.ts';
import { FEATURE_FACTORIES } from '../../runtime/feature-registry.ts';
import { Store } from '../../runtime/store.ts';
import type { Feature } from '../../runtime/features.ts';

/** Is a feature (network, cgroups, security) registered on this branch? */
export function hasFeature(name: string): boolean {
  return FEATURE_FACTORIES.some((f) => f.name === name);
}

/** `run [flags] COMMAND` in-process; resolves with the exit code once everything is cleaned up. */
export async function runInProcess(store: Store, rootfs: string, args: string[], opts: { features?: Feature[] } = {}): Promise<number> {
  const { flags, positionals } = parseArgs('run', ['--rootfs', rootfs, ...args], RUN_FLAGS, { stopAtPositional: true });
  const spec = await specFromFlags(flags, positionals);
  await applyFeatureFlags(flags, spec);
  const container = await runContainer(spec, { store, stdio: ['ignore', 'ignore', 'inherit'], ...(opts.features ? { features: opts.features } : {}) });
  const status = await container.wait();
  if (status.exitCode !== 0) throw new Error(`run ${args.join(' ')} exited with ${status.exitCode}`);
  return status.exitCode;
}

export function storeAt(root: string): Store {
  return new Store(root);
}
