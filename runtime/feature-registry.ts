/**
 * Every Feature the runtime knows, in the order their hooks run. Order
 * matters: cgroups place the process before the network is wired, and
 * security's init steps come last (seccomp must be the final step).
 */
import type { Feature, FeatureFactory } from './features.ts';
import { securityFeature } from './security/feature.ts';
import type { ContainerSpec } from './spec.ts';
import { cgroupsFactory } from './cgroups/feature.ts';
import { networkFactory } from './network/feature.ts';

export const FEATURE_FACTORIES: FeatureFactory[] = [
  cgroupsFactory,
  networkFactory, // after cgroups: the process is placed before its network is wired
  securityFeature, // last: its final steps (caps, seccomp) must be the last before exec
];

export function featuresFor(spec: ContainerSpec): Feature[] {
  return FEATURE_FACTORIES.map((f) => f.create(spec)).filter((f): f is Feature => f !== null);
}
