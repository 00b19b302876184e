/**
 * Cgroups as a Feature of the container lifecycle (see runtime/features.ts).
 * Every container gets a group, limits or not, so it can be killed, stat'ed
 * and cleaned up as one unit.
 *
 *   attach     mkdir the group, write the limits, write the pid to
 *              cgroup.procs: tiny-init is still blocked on its go signal,
 *              so the user's command starts inside its limits
 *   initSteps  early:  unshare(CLONE_NEWCGROUP): inside, its group is "/"
 *              mounts: the cgroup fs, read-only, at /sys/fs/cgroup
 *   afterExit  did the OOM killer strike? → exit.oomKilled
 *   cleanup    kill what is left, rmdir (from ctx.facts.cgroups alone, so
 *              it also works in another process, and twice)
 */
import { ConfigError } from '../errors.ts';
import type { ContainerContext, ExitInfo, Feature, FeatureFactory, InitStage } from '../features.ts';
import type { InitStep } from '../init/protocol.ts';
import type { ContainerSpec } from '../spec.ts';
import { CLONE } from '../sys/flags.ts';
import { checkCgroupConfig, hasLimits, type CgroupConfig } from './config.ts';
import type { CgroupDriver } from './driver.ts';
import { cgroupFactsOf, driverFor, driverForFacts } from './select.ts';

export const FEATURE_NAME = 'cgroups';

export class CgroupsFeature implements Feature {
  readonly name = FEATURE_NAME;
  constructor(
    private readonly config: CgroupConfig,
    private readonly driver: CgroupDriver,
  ) {}

  async attach(ctx: ContainerContext, pid: number): Promise<void> {
    // lab:03-cgroups begin
    const facts = this.driver.create(ctx.spec.id, this.config, (f) => (ctx.facts[FEATURE_NAME] = f));
    this.driver.applyLimits(facts, this.config);
    this.driver.place(facts, pid);
    // lab:03-cgroups end
  }

  initSteps(ctx: ContainerContext, stage: InitStage): InitStep[] {
    const facts = cgroupFactsOf(ctx.facts);
    if (!facts) return [];
    // The cgroup namespace must be made from inside, after placement: its root
    // is the group the caller is in at unshare() time.
    if (stage === 'early') return [{ op: 'UNSHARE', args: [String(CLONE.CLONE_NEWCGROUP)] }];
    // Without our own mount namespace a mount would land on the host's /sys.
    if (stage === 'mounts' && ctx.spec.namespaces.mnt && !(ctx.spec.readOnly && !ctx.spec.namespaces.net)) {
      return this.driver.mountSteps(facts);
    }
    return [];
  }

  async afterExit(ctx: ContainerContext, exit: ExitInfo): Promise<void> {
    const facts = cgroupFactsOf(ctx.facts);
    if (facts && this.driver.oomKilled(facts)) exit.oomKilled = true;
  }

  async cleanup(ctx: ContainerContext): Promise<void> {
    await cleanupCgroups(ctx.facts);
  }
}

/** Kill and remove a container's group from its saved facts; a no-op when there is none. */
export async function cleanupCgroups(facts: Record<string, unknown>): Promise<void> {
  const f = cgroupFactsOf(facts);
  if (f) await driverForFacts(f).destroy(f);
}

/** The config in spec.features.cgroups ({} when the run had no resource flags). */
export function cgroupConfigOf(spec: ContainerSpec): CgroupConfig {
  return checkCgroupConfig((spec.features[FEATURE_NAME] as CgroupConfig | undefined) ?? {});
}

export const cgroupsFactory: FeatureFactory = {
  name: FEATURE_NAME,
  create(spec: ContainerSpec): Feature | null {
    const config = cgroupConfigOf(spec);
    const driver = driverFor(config);
    if (!driver) {
      if (hasLimits(config)) throw new ConfigError('this machine has no cgroup file system mounted, so resource limits cannot be applied');
      return null;
    }
    return new CgroupsFeature(config, driver);
  },
};
