/**
 * `npm run lab`, `npm test` and `npm run bench` on a Mac: the same command
 * runs in the Lima guest, through the same checks and `limactl shell` as the
 * tiny-docker router.
 *
 * Two ways to use it:
 *
 * 1. From a TypeScript entry point (harness/lab.ts, bench/run.ts), first thing:
 *
 *      import { routeIfNeeded } from '../lima/route-npm.ts';
 *      const routed = await routeIfNeeded(['tsx', 'harness/lab.ts', ...process.argv.slice(2)]);
 *      if (routed !== null) process.exit(routed);
 *
 *    In the guest the router sets TINY_DOCKER_ROUTE=guest, so the same line
 *    returns null there and the harness runs for real.
 *
 * 2. As a wrapper in package.json, for commands we do not own (vitest):
 *
 *      "test": "tsx lima/route-npm.ts vitest run"
 *
 *    Routed, the command runs in the guest; otherwise it runs here, unchanged.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Run `argv` in the guest when routing is on and return its exit code, or
 * return null (run it here). argv is written as in an npm script: bare names
 * come from <project>/node_modules/.bin in the guest; `node` and `npm` are
 * the guest's own.
 */
export async function routeIfNeeded(argv: string[], opts: { cwd?: string } = {}): Promise<number | null> {
  // Same cheap test as runtime/cli/main.ts: nothing is imported on Linux.
  if (process.platform !== 'darwin' && process.env.TINY_DOCKER_ROUTE !== 'lima') return null;
  const { routingWanted, limaConfig } = await import('./config.ts');
  if (!routingWanted()) return null;
  const { projectRoot } = await import('../runtime/init/binary.ts');
  const { planRoute, runPlan } = await import('./router.ts');
  const { printError } = await import('../runtime/cli/output.ts');
  const cfg = limaConfig(projectRoot());
  try {
    const plan = planRoute(cfg, guestArgv(cfg.projectDir, cfg.guestNode, argv), opts.cwd ?? process.cwd());
    return (await runPlan(plan)).code;
  } catch (err) {
    return printError(err);
  }
}

/** npm-script names → what the guest runs (node_modules/.bin is the guest's Linux one). */
export function guestArgv(projectDir: string, guestNode: string, argv: string[]): string[] {
  const [first, ...rest] = argv;
  if (!first) throw new Error('routeIfNeeded needs a command');
  if (first === 'node') return [guestNode, ...rest];
  if (first === 'npm' || first === 'npx') return [path.join(path.dirname(guestNode), first), ...rest];
  if (first.includes('/')) return argv;
  return [path.join(projectDir, 'node_modules', '.bin', first), ...rest];
}

/** Wrapper mode: `tsx lima/route-npm.ts CMD ARGS…`. */
async function main(argv: string[]): Promise<number> {
  const routed = await routeIfNeeded(argv);
  if (routed !== null) return routed;
  const [cmd, ...args] = argv;
  if (!cmd) {
    process.stderr.write('usage: tsx lima/route-npm.ts COMMAND [ARGS…]\n');
    return 125;
  }
  // Not routed: run it here, as npm would have (node_modules/.bin is already on npm's PATH).
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: 'inherit' });
    child.on('error', (err) => {
      process.stderr.write(`route-npm: ${cmd}: ${err.message}\n`);
      resolve(127);
    });
    child.on('close', (code, signal) => resolve(code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0)));
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exit(await main(process.argv.slice(2)));
}
