/**
 * Run one command in the guest and collect its output: what `setup lima`
 * and `doctor` use for their own steps (the router itself inherits stdio).
 */
import * as crypto from 'node:crypto';
import { ensureProbe } from './checks.ts';
import type { ArchBuild, LimaConfig } from './config.ts';
import type { GuestPlan } from './guest-command.ts';
import { runPlan } from './router.ts';

export interface GuestRunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function guestRun(cfg: LimaConfig, build: ArchBuild, argv: string[], opts: { checks?: GuestPlan['checks'] } = {}): Promise<GuestRunResult> {
  const plan: GuestPlan = {
    cfg,
    build,
    argv,
    cwd: cfg.projectDir,
    probeToken: ensureProbe(cfg.projectDir),
    routeToken: crypto.randomBytes(12).toString('hex'),
    ...(opts.checks ? { checks: opts.checks } : {}),
  };
  return runPlan(plan, { capture: true });
}
