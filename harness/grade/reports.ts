/**
 * The grade book: markdown for people, CSV and JSON for an LMS, and one
 * feedback file per student. grades.json carries, per student, a `tests`
 * list shaped like GitHub Classroom's autograding results (name, status,
 * score, max_score, message), so one CI job per student can publish it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { LabGrade } from './run-lab.ts';

export interface StudentGrade {
  student: string;
  branch: string;
  commit: string;
  labs: LabGrade[];
  score: number;
  total: number;
  /** Reasons that cost the whole branch (does not install / compile). */
  notes: string[];
  durationMs: number;
}

export interface GradeRun {
  generated: string;
  repo: string;
  branches: string;
  labs: string[];
  timeoutS: number;
  containment: string;
  students: StudentGrade[];
}

const esc = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function markdown(run: GradeRun): string {
  const head = ['student', ...run.labs, 'total', 'notes'];
  const rows = run.students.map((s) => [
    s.student,
    ...run.labs.map((l) => {
      const g = s.labs.find((x) => x.lab === l);
      return g ? `${g.score}/${g.total}` : '–';
    }),
    `**${s.score}/${s.total}**`,
    esc([...s.notes, ...s.labs.flatMap((l) => l.notes.map((n) => `${l.lab}: ${n}`))].join('; ')),
  ]);
  const out = [
    `# Grades — ${run.generated.slice(0, 10)}`,
    '',
    `Repository \`${run.repo}\`, branches \`${run.branches}\`, labs ${run.labs.join(', ')}; ${run.timeoutS} s per lab; ${run.containment}.`,
    '',
    `| ${head.join(' | ')} |`,
    `| ${head.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
    '',
    '## Failures',
    '',
  ];
  for (const s of run.students) {
    const failed = s.labs.flatMap((l) => l.checks.filter((c) => c.status !== 'pass' && c.status !== 'unavailable'));
    if (!failed.length && !s.notes.length) continue;
    out.push(`### ${s.student} (\`${s.branch}\` @ ${s.commit.slice(0, 12)})`, '');
    for (const n of s.notes) out.push(`- **${n}**`);
    for (const c of failed) out.push(`- ${c.lab.slice(0, 2)}.${c.n} ${c.title} — ${esc(c.reason ?? c.status)}`);
    out.push('');
  }
  return out.join('\n');
}

function csvCell(v: string | number): string {
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csv(run: GradeRun): string {
  const head = ['student', 'branch', 'commit', ...run.labs, 'score', 'max_score', 'notes'];
  const rows = run.students.map((s) => [
    s.student,
    s.branch,
    s.commit,
    ...run.labs.map((l) => s.labs.find((x) => x.lab === l)?.score ?? 0),
    s.score,
    s.total,
    [...s.notes, ...s.labs.flatMap((l) => l.notes.map((n) => `${l.lab}: ${n}`))].join('; '),
  ]);
  return [head, ...rows].map((r) => r.map(csvCell).join(',')).join('\n') + '\n';
}

/** GitHub Classroom-style results for one student. */
export function classroomResult(s: StudentGrade): object {
  const tests = s.labs.flatMap((l) =>
    l.checks
      .filter((c) => c.status !== 'unavailable')
      .map((c) => ({
        name: `${c.lab} ${c.n}: ${c.title}`,
        status: c.status === 'pass' ? 'pass' : c.status === 'timeout' ? 'error' : 'fail',
        score: c.earned,
        max_score: c.points,
        message: c.reason ?? '',
        line_no: 0,
        execution_time: `${(c.durationMs / 1000).toFixed(2)}s`,
      })),
  );
  return { version: 1, status: s.score === s.total && !s.notes.length ? 'pass' : 'fail', max_score: s.total, score: s.score, tests };
}

export function json(run: GradeRun): string {
  return JSON.stringify({ version: 1, ...run, students: run.students.map((s) => ({ ...s, classroom: classroomResult(s) })) }, null, 2) + '\n';
}

export function feedback(s: StudentGrade): string {
  const out = [`# Feedback for ${s.student}`, '', `Branch \`${s.branch}\` at ${s.commit.slice(0, 12)}: **${s.score}/${s.total}**.`, ''];
  for (const n of s.notes) out.push(`> **${n}**`, '');
  for (const l of s.labs) {
    out.push(`## ${l.lab}: ${l.score}/${l.total}`, '');
    for (const n of l.notes) out.push(`> ${n}`, '');
    for (const c of l.checks) {
      const mark = c.status === 'pass' ? '✔' : c.status === 'unavailable' ? '–' : '✘';
      out.push(`- ${mark} ${c.lab.slice(0, 2)}.${c.n} ${c.title}`);
      if (c.status !== 'pass') {
        if (c.reason) out.push(`  - why: ${c.reason}`);
        if (c.hint && c.status !== 'unavailable') out.push(`  - hint: ${c.hint}`);
      }
    }
    out.push('', `Run it yourself: \`sudo npm run lab ${l.lab}\``, '');
  }
  return out.join('\n');
}

export function writeReports(run: GradeRun, outDir: string): string[] {
  fs.mkdirSync(path.join(outDir, 'feedback'), { recursive: true });
  const date = run.generated.slice(0, 10);
  const files: [string, string][] = [
    [`grades-${date}.md`, markdown(run)],
    ['grades.csv', csv(run)],
    ['grades.json', json(run)],
    ...run.students.map((s) => [path.join('feedback', `${s.student.replace(/[^\w.-]/g, '_')}.md`), feedback(s)] as [string, string]),
  ];
  for (const [f, text] of files) fs.writeFileSync(path.join(outDir, f), text);
  return files.map(([f]) => path.join(outDir, f));
}
