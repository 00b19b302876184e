/**
 * The student workflow, end to end and for real: starter → not implemented
 * → three student branches → the grader. Runs real containers as root.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Availability } from './availability.ts';
import { HARNESS_ROOT, loadLab } from './labs.ts';
import type { Lab } from './lab-api.ts';
import { significantLines, findRegions, type Region } from './regions.ts';
import { allRegions, writeStarter } from './starter.ts';

const TSX = path.join(HARNESS_ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');
/** A later check's command-line token, per candidate lab: carol's code hangs when it sees it. */
const HANG_TOKEN: Record<string, string> = { '03-cgroups': '--cpus', '02-namespaces': 'lab02-box', '01-process': '/etc/hostname' };

let work: string;
let starter: string;
let lab: Lab;
let regions: Region[];

/** The most advanced lab whose solution region AND feature are in this build. */
async function pickLab(): Promise<Lab> {
  const present = new Set(allRegions(HARNESS_ROOT).map((r) => r.lab));
  const avail = new Availability(path.join(HARNESS_ROOT, 'bin', 'tiny-docker'), HARNESS_ROOT);
  for (const id of Object.keys(HANG_TOKEN)) {
    if (!present.has(id)) continue;
    const l = await loadLab(id);
    if (avail.check(l.requires) === null) return l;
  }
  throw new Error('no lab has a marked solution region');
}

function git(cwd: string, ...args: string[]): string {
  const r = spawnSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t.invalid', '-c', 'gc.auto=0', ...args], { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')} exited ${r.status}: ${r.stderr.trim()} ${r.stdout.trim()}`);
  return r.stdout.trim();
}

/** Put `body(region)` back between the markers of every region of the lab, in the starter checkout. */
function fillRegions(dir: string, body: (r: Region) => string[]): void {
  const byFile = new Map<string, Region[]>();
  for (const r of regions) byFile.set(r.file, [...(byFile.get(r.file) ?? []), r]);
  for (const [file, rs] of byFile) {
    const lines = fs.readFileSync(path.join(dir, file), 'utf8').split('\n');
    const current = findRegions(lines.join('\n'), file).filter((r) => r.lab === lab.id);
    for (const [i, r] of [...current.entries()].reverse()) {
      lines.splice(r.begin + 1, r.end - r.begin - 1, ...body(rs[i]!));
    }
    fs.writeFileSync(path.join(dir, file), lines.join('\n'));
  }
}

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'tdk-harness-'));
  lab = await pickLab();
  regions = allRegions(HARNESS_ROOT).filter((r) => r.lab === lab.id);
  starter = path.join(work, 'starter');
  writeStarter({ out: starter, labs: [lab.id], from: HARNESS_ROOT, git: true });
  fs.symlinkSync(path.join(HARNESS_ROOT, 'node_modules'), path.join(starter, 'node_modules'));
}, 60_000);

afterAll(() => {
  fs.rmSync(work, { recursive: true, force: true });
});

describe('the student starter', () => {
  it('contains none of the instructor’s solution lines', () => {
    const secret = regions.flatMap(significantLines);
    expect(secret.length).toBeGreaterThan(0);
    for (const line of secret) {
      const r = spawnSync('grep', ['-rlF', '--exclude-dir=node_modules', '--exclude-dir=.git', line, starter], { encoding: 'utf8' });
      expect(r.stdout, `solution line found: ${line}`).toBe('');
    }
  });

  it('compiles (tsc --noEmit)', () => {
    const r = spawnSync(process.execPath, [path.join(HARNESS_ROOT, 'node_modules/typescript/bin/tsc'), '--noEmit', '-p', '.'], { cwd: starter, encoding: 'utf8' });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  }, 60_000);

  it('fails its lab with "not implemented yet" rather than crashing', () => {
    const r = spawnSync(process.execPath, [TSX, path.join(HARNESS_ROOT, 'harness/lab.ts'), lab.id, '--json', '--project', starter], { encoding: 'utf8', env: { ...process.env, TINY_DOCKER_LAB_STATUS: path.join(work, 'status.json') } });
    expect(r.status).toBe(1);
    const result = JSON.parse(r.stdout) as { results: { status: string; reason: string }[]; score: number; total: number; status: string };
    expect(result.status).not.toBe('passed');
    // every check that needs the missing code says so (a check that needs none of it, e.g. input validation, may pass)
    const todo = result.results.filter((c) => c.status === 'todo');
    expect(todo.length).toBeGreaterThan(result.total / 2);
    for (const c of result.results.filter((x) => x.status !== 'pass' && x.status !== 'unavailable')) {
      expect(c.status).toBe('todo');
      expect(c.reason).toBe(`lab ${lab.id}: not implemented yet — see labs/${lab.id}/README.md`);
    }
  }, 120_000);
});

describe('npm run grade', () => {
  it('grades alice (solution), bob (syntax error), carol (hangs) and dave (does not install), and writes every file', () => {
    git(starter, 'checkout', '-q', '-b', 'student/alice');
    fillRegions(starter, (r) => r.body);
    git(starter, 'commit', '-qam', 'alice: my solution');
    git(starter, 'checkout', '-q', 'main');
    git(starter, 'checkout', '-q', '-b', 'student/bob');
    fillRegions(starter, (r) => [...r.body, `${r.indent}const = ;`]);
    git(starter, 'commit', '-qam', 'bob: almost');
    git(starter, 'checkout', '-q', 'main');
    git(starter, 'checkout', '-q', '-b', 'student/carol');
    const hang = `if (process.argv.includes(${JSON.stringify(HANG_TOKEN[lab.id])})) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);`;
    // in every region of the lab: whichever of them the hanging check goes through
    fillRegions(starter, (r) => [`${r.indent}${hang}`, ...r.body]);
    git(starter, 'commit', '-qam', 'carol: works on my machine');
    git(starter, 'checkout', '-q', 'main');
    git(starter, 'checkout', '-q', '-b', 'student/dave');
    fillRegions(starter, (r) => r.body);
    fs.writeFileSync(path.join(starter, 'package-lock.json'), '{ "lockfileVersion": 3, oops');
    git(starter, 'commit', '-qam', 'dave: I edited the lockfile by hand');
    git(starter, 'checkout', '-q', 'main');

    const labRoots = () => fs.readdirSync(os.tmpdir()).filter((d) => d.startsWith('tdk-lab-')).length;
    const labRootsBefore = labRoots();
    const out = path.join(work, 'reports');
    const r = spawnSync(process.execPath, [TSX, path.join(HARNESS_ROOT, 'harness/grade.ts'), '--repo', `file://${starter}`, '--branches', 'student/*', '--labs', lab.id, '--jobs', '2', '--timeout', '20', '--out', out], { encoding: 'utf8', timeout: 280_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/\[4\/4\]/); // progress
    // checks whose feature is not in this build count for nobody
    const avail = new Availability(path.join(HARNESS_ROOT, 'bin', 'tiny-docker'), HARNESS_ROOT);
    const counted = lab.checks.filter((c) => avail.check([...(lab.requires ?? []), ...(c.requires ?? [])]) === null);
    const total = counted.length;
    const hangAt = counted.findIndex((c) => c.runs.includes(HANG_TOKEN[lab.id]!));
    expect(hangAt).toBeGreaterThan(0);
    const before = hangAt;

    const grades = JSON.parse(fs.readFileSync(path.join(out, 'grades.json'), 'utf8')) as { students: { student: string; score: number; total: number; notes: string[]; labs: { notes: string[] }[]; classroom: { max_score: number; tests: unknown[] } }[] };
    const by = Object.fromEntries(grades.students.map((s) => [s.student, s]));
    expect(by.alice!.score).toBe(total);
    expect(by.alice!.total).toBe(total);
    expect(by.bob!.score).toBe(0);
    expect(by.bob!.notes.join(' ')).toMatch(/does not compile/);
    expect(by.carol!.score).toBe(before);
    expect(by.dave!.score).toBe(0);
    expect(by.dave!.notes.join(' ')).toMatch(/does not install: npm ci exited/);
    expect(by.carol!.labs[0]!.notes.join(' ')).toMatch(/timed out after 20 s/);
    expect(by.alice!.classroom.tests).toHaveLength(total);
    expect(by.carol!.total).toBe(total);

    const date = new Date().toISOString().slice(0, 10);
    const md = fs.readFileSync(path.join(out, `grades-${date}.md`), 'utf8');
    expect(md).toMatch(new RegExp(`\\| alice \\| ${total}/${total} \\|`));
    expect(md).toMatch(/does not compile/);
    expect(fs.readFileSync(path.join(out, 'grades.csv'), 'utf8').split('\n')[0]).toBe(`student,branch,commit,${lab.id},score,max_score,notes`);
    for (const s of ['alice', 'bob', 'carol', 'dave']) expect(fs.existsSync(path.join(out, 'feedback', `${s}.md`))).toBe(true);
    expect(fs.readFileSync(path.join(out, 'feedback', 'carol.md'), 'utf8')).toMatch(/timed out/);
    // contained: each lab ran in a cgroup with limits, and nothing of the grader is left
    expect(md).toMatch(/cgroup limits: memory 2048 MiB, pids 2048/);
    expect(fs.readFileSync('/proc/self/mountinfo', 'utf8')).not.toMatch(/tdk-grade-/);
    const cgroups = spawnSync('find', ['/sys/fs/cgroup', '-maxdepth', '6', '-type', 'd', '-name', `tdk-grade-*`], { encoding: 'utf8' }).stdout;
    expect(cgroups.trim()).toBe('');
    expect(fs.readdirSync(os.tmpdir()).filter((d) => d.startsWith('tdk-grade-'))).toEqual([]);
    // carol's run was killed mid-check: its per-check root lived inside the grader's, and went with it
    expect(labRoots()).toBeLessThanOrEqual(labRootsBefore);
  }, 300_000);
});
