/**
 * The Extras (extras.ts) this build can offer: the cgroups feature's config
 * and the security feature's seccomp compiler, once those are merged.
 * Loaded lazily so that `tiny-runc state` does not pay for them.
 */
import type { Extras } from './extras.ts';

export async function loadExtras(): Promise<Extras> {
  return {};
}
