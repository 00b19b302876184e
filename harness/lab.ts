/**
 * npm run lab [NN-name|NN] [--all] [--json]
 *
 *   npm run lab                 the labs and their status (passed / failing / not started)
 *   npm run lab 02              run lab 02-namespaces: one line per check, a score, what is next
 *   npm run lab -- --all        every lab
 *   npm run lab 02 -- --json    results for machines
 *
 * Options for instructors and the grader:
 *   --bin PATH       the tiny-docker under test (default: <project>/bin/tiny-docker)
 *   --project DIR    the checkout under test (default: this one)
 *   --image DIR      the rootfs the checks use (default: rootfs/images/host)
 *   --no-build       do not rebuild the CLI bundle first
 *   --jsonl          one JSON line per check as it finishes (what the grader reads)
 *   --check ID       only this check (repeatable)
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { Availability } from './availability.ts';
import { checkLine, labHeader, listLine, scoreLine } from './format.ts';
import { HARNESS_ROOT, labIds, loadLab, nextLab, resolveLabId } from './labs.ts';
import { runLab, type LabResult } from './runner.ts';
import { readStatus, recordStatus } from './status.ts';

interface Options {
  labs: string[];
  all: boolean;
  json: boolean;
  jsonl: boolean;
  build: boolean;
  bin: string;
  project: string;
  image: string | null;
  only: string[];
}

function usageError(msg: string): never {
  process.stderr.write(`npm run lab: ${msg}\nusage: npm run lab [NN-name|NN] [-- --all] [-- --json]\n`);
  process.exit(2);
}

function parse(argv: string[]): Options {
  const o: Options = { labs: [], all: false, json: false, jsonl: false, build: true, bin: '', project: HARNESS_ROOT, image: null, only: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = () => argv[++i] ?? usageError(`${a} needs a value`);
    if (a === '--all') o.all = true;
    else if (a === '--json') o.json = true;
    else if (a === '--jsonl') o.jsonl = true;
    else if (a === '--no-build') o.build = false;
    else if (a === '--bin') o.bin = path.resolve(value());
    else if (a === '--project') o.project = path.resolve(value());
    else if (a === '--image') o.image = path.resolve(value());
    else if (a === '--check') o.only.push(value());
    else if (a === '--help' || a === '-h') {
      process.stdout.write(fs.readFileSync(new URL(import.meta.url), 'utf8').split('*/')[0]!.replace(/^\/\*\*?|^ \* ?/gm, '') + '\n');
      process.exit(0);
    } else if (a.startsWith('-')) usageError(`unknown option ${a}`);
    else {
      const id = resolveLabId(a);
      if (!id) usageError(`no lab ${JSON.stringify(a)}; labs: ${labIds().join(', ')}`);
      o.labs.push(id);
    }
  }
  o.bin ||= path.join(o.project, 'bin', 'tiny-docker');
  return o;
}

/** The rootfs for the checks: --image, $TINY_DOCKER_LAB_IMAGE, the project's host image, then ours. */
function chooseImage(o: Options): string {
  const candidates = [o.image, process.env.TINY_DOCKER_LAB_IMAGE, process.env.TINY_DOCKER_IMAGES && path.join(process.env.TINY_DOCKER_IMAGES, 'host'), path.join(o.project, 'rootfs/images/host'), path.join(HARNESS_ROOT, 'rootfs/images/host')];
  for (const c of candidates) if (c && fs.existsSync(path.join(c, '.tiny-docker-image'))) return c;
  process.stderr.write('› no prepared rootfs yet: building the offline "host" rootfs (first run only)\n');
  const r = spawnSync('npm', ['run', '--silent', 'rootfs', '--', 'host'], { cwd: o.project, stdio: 'inherit' });
  const built = path.join(o.project, 'rootfs/images/host');
  if (r.status !== 0 || !fs.existsSync(built)) usageError('could not prepare a rootfs: run `npm run rootfs -- host` and try again');
  return built;
}

/** The newest mtime of the sources the bundle is made from. */
function newestSource(dir: string): number {
  let newest = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestSource(p));
    else if (e.name.endsWith('.ts')) newest = Math.max(newest, fs.statSync(p).mtimeMs);
  }
  return newest;
}

/** Students change runtime/: rebuild the CLI bundle when a source is newer, so the checks see their code. */
function build(o: Options): string | null {
  const bundle = path.join(o.project, 'dist', 'tiny-docker.mjs');
  const built = fs.statSync(bundle, { throwIfNoEntry: false })?.mtimeMs ?? 0;
  if (built > newestSource(path.join(o.project, 'runtime'))) return null;
  const r = spawnSync(process.execPath, [path.join(o.project, 'scripts', 'build.mjs'), '--quiet'], { cwd: o.project, encoding: 'utf8' });
  if (r.status === 0) return null;
  return (r.stderr || r.stdout || `exit ${r.status}`).trim().split('\n').slice(0, 6).join('\n');
}

async function list(o: Options): Promise<number> {
  const status = readStatus(o.project);
  const avail = new Availability(o.bin, o.project);
  process.stdout.write('labs (npm run lab NN to run one):\n');
  for (const id of labIds()) {
    const lab = await loadLab(id);
    const s = status[id];
    const fallback = avail.check(lab.requires) ? 'not available' : 'not started';
    process.stdout.write(listLine(id, lab.title, s?.status ?? fallback, s ? `${s.score}/${s.total}` : ''));
  }
  return 0;
}

/**
 * On macOS (or with TINY_DOCKER_ROUTE=lima) the whole lab run happens in the Lima guest, through
 * the Lima issue's lima/route-npm.ts (routeIfNeeded returns null when no routing is wanted).
 */
async function routeToLima(argv: string[]): Promise<number | null> {
  const npmRouter = path.join(HARNESS_ROOT, 'lima', 'route-npm.ts');
  if (fs.existsSync(npmRouter)) {
    const mod = (await import(npmRouter)) as { routeIfNeeded?: (argv: string[]) => Promise<number | null> };
    if (typeof mod.routeIfNeeded === 'function') return mod.routeIfNeeded(['tsx', 'harness/lab.ts', ...argv]);
  }
  if (process.platform !== 'darwin') return null;
  process.stderr.write('npm run lab: on macOS the labs run inside a Lima VM, but lima/route-npm.ts (routeIfNeeded) is not in this build yet.\nhint: run the labs on Linux, or inside `limactl shell tiny-docker`, until the Lima router lands\n');
  return 125;
}

export async function main(argv: string[]): Promise<number> {
  const routed = await routeToLima(argv);
  if (routed !== null) return routed;
  const o = parse(argv);
  if (!o.all && o.labs.length === 0) return list(o);
  if (process.getuid?.() !== 0) usageError('the checks start real containers: run as root (sudo npm run lab …)');
  const ids = o.all ? labIds() : o.labs;
  const buildError = o.build ? build(o) : null;
  if (buildError) {
    process.stderr.write(`npm run lab: the CLI does not build, so no check can run:\n${buildError}\n`);
    return 1;
  }
  const image = chooseImage(o);
  const out: LabResult[] = [];
  for (const id of ids) {
    const lab = await loadLab(id);
    const human = !o.json && !o.jsonl;
    if (human) process.stdout.write(labHeader(lab));
    // A lab whose feature has not landed says so once, not once per check.
    const labMissing = new Availability(o.bin, o.project).check(lab.requires);
    const labReason = labMissing ? `not available in this build yet: ${labMissing}` : null;
    if (human && labReason) process.stdout.write(`  – ${labReason}\n`);
    const result = await runLab(lab, {
      bin: o.bin,
      project: o.project,
      image,
      ...(o.only.length ? { only: o.only } : {}),
      onResult: (r) => {
        if (human && !(labReason && r.reason?.startsWith(labReason))) process.stdout.write(checkLine(r));
        if (o.jsonl) process.stdout.write(JSON.stringify({ type: 'check', ...r }) + '\n');
      },
    });
    if (o.jsonl) process.stdout.write(JSON.stringify({ type: 'lab', lab: result.lab, score: result.score, total: result.total, status: result.status }) + '\n');
    if (human) process.stdout.write(scoreLine(result, nextLab(id)) + (ids.length > 1 ? '\n' : ''));
    if (!o.only.length) recordStatus(o.project, result);
    out.push(result);
  }
  if (o.json) process.stdout.write(JSON.stringify(o.all || out.length > 1 ? out : out[0], null, 2) + '\n');
  return out.every((r) => r.status === 'passed' || r.status === 'not available') ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`npm run lab: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
