/**
 * `tiny-docker doctor` when routing to Lima: every prerequisite check is
 * printed (not just the first failure), then, when they all pass, the
 * Linux doctor runs in the guest and prints its own checks.
 */
import * as crypto from 'node:crypto';
import { chalk } from '../runtime/cli/output.ts';
import { ensureProbe, hostChecks, type HostReady, type LimaCheck } from './checks.ts';
import type { LimaConfig } from './config.ts';
import { tinyDockerArgv, type GuestPlan } from './guest-command.ts';
import { runPlan } from './router.ts';

function planFor(cfg: LimaConfig, ready: HostReady, argv: string[], checks: GuestPlan['checks']): GuestPlan {
  return { cfg, build: ready.build, argv, cwd: cfg.projectDir, probeToken: ensureProbe(cfg.projectDir), routeToken: crypto.randomBytes(12).toString('hex'), checks };
}

/** Run one guest check before /bin/true: exit 0, or 125 and its one-line message. */
async function guestCheck(cfg: LimaConfig, ready: HostReady, id: 'shared' | 'build', name: string): Promise<LimaCheck> {
  const r = await runPlan(planFor(cfg, ready, ['/bin/true'], [id]), { capture: true });
  const line = r.stderr.trim().split('\n').pop()?.replace(/^tiny-docker: /, '') ?? '';
  return { id, name, ok: r.code === 0, detail: r.code === 0 ? 'ok' : line || `exit code ${r.code}` };
}

export async function limaDoctor(cfg: LimaConfig, argv: string[]): Promise<number> {
  const { checks, ready } = hostChecks(cfg, true);
  const sharedName = 'project shared (same path, writable)';
  if (ready) {
    // The shared path first: the guest's build check reads node_modules through it.
    const shared = await guestCheck(cfg, ready, 'shared', sharedName);
    checks.push(shared);
    if (shared.ok) checks.push(await guestCheck(cfg, ready, 'build', `Linux build in the guest (linux-${ready.arch})`));
  } else {
    checks.push({ id: 'shared', name: sharedName, ok: false, detail: 'not checked: needs the checks above to pass' });
  }
  const failed = checks.filter((c) => !c.ok);
  const json = argv.includes('--json');
  if (json && failed.length) {
    process.stdout.write(JSON.stringify({ ok: false, lima: checks }, null, 2) + '\n');
    return 125;
  }
  if (!json) {
    process.stdout.write(chalk.bold(`Lima (instance "${cfg.instance}", project ${cfg.projectDir})\n`));
    for (const c of checks) process.stdout.write(`${c.ok ? chalk.green('✔') : chalk.red('✘')} ${c.name.padEnd(38)} ${c.ok ? chalk.dim(c.detail) : c.detail}\n`);
    if (failed.length) {
      process.stdout.write(chalk.red(`\n${failed.length} Lima problem(s) to fix first\n`));
      return 125;
    }
    process.stdout.write(chalk.bold('\nInside the VM:\n'));
  }
  // argv still holds 'doctor' (and --json): the guest prints its own checks.
  return (await runPlan(planFor(cfg, ready!, tinyDockerArgv(cfg, argv), undefined))).code;
}
