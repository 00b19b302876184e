/**
 * Is a lab's feature in the build under test? A lab whose feature has not
 * landed says "not available in this build yet: <what>" rather than
 * failing (or passing) for the wrong reason.
 *
 * Everything is probed from the outside, the way a user would look:
 *   command  → listed by `tiny-docker --help`
 *   runFlag  → listed by `tiny-docker run --help`
 *   feature  → named in runtime/feature-registry.ts's FEATURE_FACTORIES
 *              (a flag can exist before the feature that honours it)
 *   file     → exists in the project
 *   hostTool → on the host's PATH
 * FEATURE_PATTERNS is the one place to adjust if a feature is named differently.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import type { Requirement } from './lab-api.ts';

/** How each feature shows up in the registry's FEATURE_FACTORIES array (comments ignored). */
export const FEATURE_PATTERNS: Record<string, RegExp> = {
  cgroups: /cgroup/i,
  network: /net(work)?/i,
  security: /secur|capab|seccomp/i,
};

export class Availability {
  private helpText: string | null = null;
  private runHelpText: string | null = null;
  private registry: string | null = null;

  constructor(
    private readonly bin: string,
    private readonly project: string,
  ) {}

  private help(args: string[]): string {
    const r = spawnSync(this.bin, args, { encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' }, timeout: 20_000 });
    return `${r.stdout ?? ''}\n${r.stderr ?? ''}`;
  }

  private registryFactories(): string {
    if (this.registry !== null) return this.registry;
    let src = '';
    try {
      src = fs.readFileSync(path.join(this.project, 'runtime', 'feature-registry.ts'), 'utf8');
    } catch {
      return (this.registry = '');
    }
    const start = src.indexOf('FEATURE_FACTORIES');
    const open = src.indexOf('[', start);
    const close = src.indexOf('];', open);
    const body = start < 0 || open < 0 || close < 0 ? '' : src.slice(open + 1, close);
    // drop comments: "// cgroups, network, security register here" is not a feature
    this.registry = body.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
    // factories imported under their own names count too (import { cgroupsFeature } …)
    return this.registry;
  }

  /** null when present, else what is missing, in words. */
  missing(req: Requirement): string | null {
    if ('command' in req) {
      this.helpText ??= this.help(['--help']);
      return new RegExp(`^\\s+${req.command}\\s`, 'm').test(this.helpText) ? null : `the \`tiny-docker ${req.command}\` command`;
    }
    if ('runFlag' in req) {
      this.runHelpText ??= this.help(['run', '--help']);
      return new RegExp(`--${req.runFlag}\\b`).test(this.runHelpText) ? null : `the \`run --${req.runFlag}\` flag`;
    }
    if ('feature' in req) {
      const re = FEATURE_PATTERNS[req.feature] ?? new RegExp(req.feature, 'i');
      return re.test(this.registryFactories()) ? null : `the ${req.feature} feature (runtime/feature-registry.ts does not register it)`;
    }
    if ('file' in req) {
      return fs.existsSync(path.join(this.project, req.file)) ? null : `${req.file}`;
    }
    const r = spawnSync('sh', ['-c', `command -v ${req.hostTool}`], { encoding: 'utf8' });
    return r.status === 0 ? null : `${req.hostTool} on this machine`;
  }

  /** All missing requirements of a list, joined; null when everything is there. */
  check(reqs: Requirement[] | undefined): string | null {
    if (process.env.TINY_DOCKER_LAB_ASSUME_ALL === '1') return null;
    const missing = (reqs ?? []).map((r) => this.missing(r)).filter((m): m is string => m !== null);
    return missing.length ? missing.join(', ') : null;
  }
}
