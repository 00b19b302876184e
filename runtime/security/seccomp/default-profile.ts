/**
 * The default profile is kept as data (default-profile.json, Docker's format)
 * so students can read and diff it; this loads and checks it once.
 */
import raw from './default-profile.json' with { type: 'json' };
import { checkProfile, type SeccompProfile } from './profile.ts';

let cached: SeccompProfile | null = null;

export function defaultProfile(): SeccompProfile {
  cached ??= checkProfile(raw, 'default-profile.json');
  return cached;
}
