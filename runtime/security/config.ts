/**
 * The security settings of one container, as plain JSON (spec.features.security,
 * saved in state.json), and the pure parser that makes them from Docker's
 * flags: --privileged, --cap-add, --cap-drop, --security-opt.
 *
 * Defaults, as Docker's:
 *   capabilities      the 14 of DEFAULT_CAPABILITIES
 *   seccomp           the default profile (seccomp/default-profile.json)
 *   no_new_privs      OFF: a setuid binary in the image (su, ping on old
 *                     images) still works. Turn it on with
 *                     --security-opt no-new-privileges.
 *   masked/read-only  runc's lists (paths.ts)
 * --privileged keeps every capability and drops seccomp and the path lists.
 */
import * as fs from 'node:fs';
import { arch, release } from 'node:os';
import { ConfigError } from '../errors.ts';
import { resolveCapabilities } from './capabilities.ts';
import { MASKED_PATHS, READONLY_PATHS } from './paths.ts';
import { compileProfile, nodeArchToSeccomp } from './seccomp/compile.ts';
import { parseProfile, type SeccompProfile } from './seccomp/profile.ts';

export type SeccompSetting = { mode: 'default' } | { mode: 'unconfined' } | { mode: 'profile'; path: string; profile: SeccompProfile };

export interface SecurityConfig {
  privileged: boolean;
  /** 'ALL' = every capability the kernel has. */
  capabilities: 'ALL' | string[];
  noNewPrivileges: boolean;
  seccomp: SeccompSetting;
  maskedPaths: string[];
  readonlyPaths: string[];
}

export interface SecurityFlags {
  capAdd?: readonly string[];
  capDrop?: readonly string[];
  privileged?: boolean;
  securityOpt?: readonly string[];
}

/** What a spec without spec.features.security gets: Docker's defaults. */
export function defaultSecurityConfig(): SecurityConfig {
  return securityConfigFromFlags({});
}

/**
 * Parse the flags. Reads a seccomp=PATH profile (through `readFile`, so tests
 * can pass text) and compiles it once for this machine, so a bad profile is a
 * one-line error (exit 125) before anything is created.
 */
export function securityConfigFromFlags(flags: SecurityFlags, readFile: (path: string) => string = readProfileFile): SecurityConfig {
  const privileged = flags.privileged ?? false;
  const capabilities = resolveCapabilities({ add: flags.capAdd ?? [], drop: flags.capDrop ?? [], privileged });
  let noNewPrivileges = false;
  let seccomp: SeccompSetting = { mode: 'default' };
  for (const opt of flags.securityOpt ?? []) {
    // Docker takes key=value and, from older versions, key:value.
    const m = /^([a-z-]+)(?:[=:](.*))?$/.exec(opt.trim());
    const key = m?.[1], value = m?.[2];
    if (key === 'no-new-privileges') {
      if (value === undefined || value === 'true') noNewPrivileges = true;
      else if (value === 'false') noNewPrivileges = false;
      else throw new ConfigError(`invalid --security-opt ${JSON.stringify(opt)}: no-new-privileges takes true or false`);
    } else if (key === 'seccomp' && value) {
      if (value === 'unconfined') seccomp = { mode: 'unconfined' };
      else if (value === 'builtin' || value === 'default') seccomp = { mode: 'default' };
      else seccomp = { mode: 'profile', path: value, profile: parseProfile(readFile(value), value) };
    } else {
      throw new ConfigError(`invalid --security-opt ${JSON.stringify(opt)}`, {
        hint: 'tiny-docker knows no-new-privileges, seccomp=unconfined and seccomp=PATH.json (no AppArmor or SELinux labels)',
      });
    }
  }
  if (seccomp.mode === 'profile') {
    // Compile now, for this machine, only to report a bad profile early.
    compileProfile(seccomp.profile, { arch: nodeArchToSeccomp(arch()), caps: capabilities, kernel: release() });
  }
  return {
    privileged,
    capabilities,
    noNewPrivileges,
    // Docker: --privileged turns seccomp off, even next to a profile.
    seccomp: privileged ? { mode: 'unconfined' } : seccomp,
    maskedPaths: privileged ? [] : [...MASKED_PATHS],
    readonlyPaths: privileged ? [] : [...READONLY_PATHS],
  };
}

function readProfileFile(path: string): string {
  try {
    return fs.readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new ConfigError(`cannot read seccomp profile ${path}: ${code}`);
  }
}
