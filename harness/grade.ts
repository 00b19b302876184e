/**
 * npm run grade -- --repo PATH|URL --branches 'student/*' [--labs 02,03] [--jobs N]
 *                  [--timeout S] [--out DIR] [--clean own|all] [--image DIR]
 *
 * Grades student branches with the INSTRUCTOR's checks: each branch in its
 * own git worktree; node_modules reused when the lockfile matches; tsc and
 * the bundle; then each lab in a child process with a private state root,
 * a cgroup (memory + pids) and a timeout; leftovers cleaned between labs.
 * A branch that does not install, compile, or finish gets the points it
 * earned and a reason, and never stops the run.
 *
 * STUDENT CODE RUNS AS ROOT. Grade inside a throwaway VM or CI runner.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import chalk from 'chalk';
import { cleanLeftovers, type CleanScope } from './cleanup.ts';
import { HARNESS_ROOT, labIds, loadLab, resolveLabId } from './labs.ts';
import type { Lab } from './lab-api.ts';
import { addWorktree, matchBranches, openRepo, removeWorktree, type Branch } from './grade/repo.ts';
import { compile, installDeps } from './grade/prepare.ts';
import { gradeLab } from './grade/run-lab.ts';
import { writeReports, type GradeRun, type StudentGrade } from './grade/reports.ts';

interface Options {
  repo: string;
  branches: string;
  labs: string[];
  jobs: number;
  timeoutS: number;
  out: string;
  scope: CleanScope;
  image: string;
  memoryMiB: number;
  pids: number;
}

function fatal(msg: string): never {
  process.stderr.write(`npm run grade: ${msg}\nusage: npm run grade -- --repo PATH|URL --branches 'student/*' [--labs 02,03] [--jobs N] [--timeout S]\n`);
  process.exit(2);
}

function parse(argv: string[]): Options {
  const o: Options = { repo: '', branches: 'student/*', labs: [], jobs: 1, timeoutS: 120, out: path.join(HARNESS_ROOT, 'reports'), scope: 'own', image: '', memoryMiB: 2048, pids: 2048 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const v = () => argv[++i] ?? fatal(`${a} needs a value`);
    const int = (name: string) => {
      const n = Number(v());
      if (!Number.isInteger(n) || n <= 0) fatal(`expected ${name} to be a positive integer`);
      return n;
    };
    if (a === '--repo') o.repo = v();
    else if (a === '--branches') o.branches = v();
    else if (a === '--labs') o.labs = v().split(',').map((x) => resolveLabId(x) ?? fatal(`no lab ${JSON.stringify(x)}; labs: ${labIds().join(', ')}`));
    else if (a === '--jobs') o.jobs = int('--jobs');
    else if (a === '--timeout') o.timeoutS = int('--timeout');
    else if (a === '--out') o.out = path.resolve(v());
    else if (a === '--image') o.image = path.resolve(v());
    else if (a === '--memory-mib') o.memoryMiB = int('--memory-mib');
    else if (a === '--pids') o.pids = int('--pids');
    else if (a === '--clean') {
      const s = v();
      if (s !== 'own' && s !== 'all') fatal('--clean takes own or all');
      o.scope = s;
    } else fatal(`unknown option ${a}`);
  }
  if (!o.repo) fatal('--repo is required');
  if (!o.labs.length) o.labs = labIds();
  if (!o.image) {
    const img = [process.env.TINY_DOCKER_LAB_IMAGE, path.join(HARNESS_ROOT, 'rootfs/images/host')].find((c) => c && fs.existsSync(path.join(c, '.tiny-docker-image')));
    if (!img) fatal('no prepared rootfs: run `npm run rootfs -- host` first (or pass --image DIR)');
    o.image = img;
  }
  return o;
}

const log = (s: string) => process.stderr.write(s + '\n');

async function gradeBranch(o: Options, repo: string, work: string, b: Branch, labs: Lab[], tag: string): Promise<StudentGrade & { containment: string }> {
  const start = performance.now();
  const wt = path.join(work, b.name.replace(/[^\w.-]/g, '_'));
  const g: StudentGrade & { containment: string } = { student: b.student, branch: b.name, commit: b.commit, labs: [], score: 0, total: 0, notes: [], durationMs: 0, containment: '' };
  const zero = (reason: string) => {
    g.notes.push(reason);
    g.labs = labs.map((l) => ({ lab: l.id, score: 0, total: l.checks.reduce((s, c) => s + (c.points ?? 1), 0), checks: [], notes: [] }));
  };
  const say = (msg: string) => log(`${chalk.cyan('›')} ${b.student}: ${msg}`);
  try {
    addWorktree(repo, b, wt);
    const deps = await installDeps(wt, HARNESS_ROOT, 600_000);
    say(deps.ok ? `dependencies ${deps.reused ? 'reused (same lockfile)' : 'installed'}` : chalk.red(deps.reason!));
    if (!deps.ok) zero(deps.reason!);
    else {
      const c = await compile(wt, HARNESS_ROOT, 300_000);
      say(c.ok ? `compiled in ${(c.durationMs / 1000).toFixed(1)} s` : chalk.red(c.reason!));
      if (!c.ok) zero(c.reason!);
      else {
        for (const lab of labs) {
          const r = await gradeLab(lab, {
            wt,
            image: o.image,
            timeoutMs: o.timeoutS * 1000,
            scope: o.scope === 'all' && o.jobs === 1 ? 'all' : 'own',
            tag,
            limits: { memoryBytes: o.memoryMiB * 2 ** 20, pids: o.pids },
          });
          g.containment = r.containment;
          g.labs.push(r);
          const colour = r.score === r.total ? chalk.green : chalk.red;
          say(`${lab.id} ${colour(`${r.score}/${r.total}`)}${r.notes.length ? ` (${r.notes.join('; ')})` : ''}`);
        }
      }
    }
  } catch (err) {
    zero(`could not be graded: ${(err as Error).message.split('\n')[0]}`);
  } finally {
    removeWorktree(repo, wt);
  }
  g.score = g.labs.reduce((s, l) => s + l.score, 0);
  g.total = g.labs.reduce((s, l) => s + l.total, 0);
  g.durationMs = Math.round(performance.now() - start);
  return g;
}

export async function grade(o: Options): Promise<{ run: GradeRun; files: string[] }> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tdk-grade-'));
  try {
    const repo = openRepo(o.repo, work);
    const branches = matchBranches(repo, o.branches);
    if (!branches.length) throw new Error(`no branch matches ${JSON.stringify(o.branches)} in ${o.repo}`);
    const labs = await Promise.all(o.labs.map((id) => loadLab(id)));
    log(`grading ${branches.length} branch(es) × ${labs.length} lab(s), ${o.jobs} at a time, ${o.timeoutS} s per lab — student code runs as root`);
    if (o.scope === 'all') cleanLeftovers(path.join(work, 'none'), 'all');
    const students: (StudentGrade & { containment: string })[] = new Array(branches.length);
    let next = 0;
    let finished = 0;
    const worker = async () => {
      while (next < branches.length) {
        const i = next++;
        const b = branches[i]!;
        students[i] = await gradeBranch(o, repo, work, b, labs, String(i));
        finished++;
        log(`${chalk.bold(`[${finished}/${branches.length}]`)} ${b.student}: ${students[i]!.score}/${students[i]!.total} in ${(students[i]!.durationMs / 1000).toFixed(1)} s`);
      }
    };
    await Promise.all(Array.from({ length: Math.min(o.jobs, branches.length) }, worker));
    if (o.scope === 'all') cleanLeftovers(path.join(work, 'none'), 'all');
    const run: GradeRun = {
      generated: new Date().toISOString(),
      repo: o.repo,
      branches: o.branches,
      labs: o.labs,
      timeoutS: o.timeoutS,
      containment: `private state root per lab, ${students.find((s) => s.containment)?.containment ?? 'no lab ran'}`,
      students: students.map(({ containment: _c, ...s }) => s),
    };
    const files = writeReports(run, o.out);
    return { run, files };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

async function main(): Promise<number> {
  const o = parse(process.argv.slice(2));
  const { run, files } = await grade(o);
  const w = Math.max(8, ...run.students.map((s) => s.student.length));
  process.stdout.write(`\n${'student'.padEnd(w)}  ${run.labs.map((l) => l.slice(0, 2).padStart(5)).join(' ')}  total\n`);
  for (const s of run.students) {
    const cells = run.labs.map((l) => {
      const g = s.labs.find((x) => x.lab === l);
      return (g ? `${g.score}/${g.total}` : '–').padStart(5);
    });
    const note = [...s.notes, ...s.labs.flatMap((l) => l.notes)][0];
    process.stdout.write(`${s.student.padEnd(w)}  ${cells.join(' ')}  ${`${s.score}/${s.total}`.padStart(5)}${note ? `  ${note}` : ''}\n`);
  }
  process.stdout.write(`\nwrote ${files.length} files: ${files.slice(0, 3).join(', ')} and feedback/\n`);
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  main().then(
    (c) => process.exit(c),
    (err: unknown) => {
      process.stderr.write(`npm run grade: ${(err as Error).message}\n`);
      process.exit(1);
    },
  );
}
