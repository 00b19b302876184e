/**
 * How the lab runner prints: one line per check (✔ / ✘ with the reason and
 * the hint), a score and what comes next. chalk colours on a TTY only; piped
 * output is plain text (chalk's level is 0 when stdout is not a TTY).
 */
import chalk from 'chalk';
import type { Lab } from './lab-api.ts';
import type { CheckResult, LabResult } from './runner.ts';

const MARK: Record<CheckResult['status'], string> = { pass: '✔', fail: '✘', todo: '✘', timeout: '✘', unavailable: '–' };

export function labHeader(lab: Lab): string {
  return `${chalk.bold(`lab ${lab.id}`)} — ${lab.title}\n${chalk.dim(lab.idea)}\n`;
}

export function checkLine(r: CheckResult): string {
  const num = `${r.lab.slice(0, 2)}.${r.n}`;
  const mark = r.status === 'pass' ? chalk.green(MARK.pass) : r.status === 'unavailable' ? chalk.yellow(MARK.unavailable) : chalk.red(MARK[r.status]);
  const lines = [`  ${mark} ${chalk.dim(num)} ${r.title}`];
  if (r.status === 'unavailable') lines.push(`      ${chalk.yellow(r.reason ?? '')}`);
  else if (r.status !== 'pass') {
    lines.push(`      ${chalk.red('why:')}  ${r.reason ?? ''}`);
    if (r.hint) lines.push(`      ${chalk.cyan('hint:')} ${r.hint}`);
  }
  return lines.join('\n') + '\n';
}

export function scoreLine(r: LabResult, next: string | null): string {
  const unavailable = r.results.filter((x) => x.status === 'unavailable').length;
  const score = r.total === 0 ? 'no checks could run' : `score ${r.score}/${r.total}`;
  const colour = r.status === 'passed' ? chalk.green : r.status === 'not available' ? chalk.yellow : chalk.red;
  const parts = [colour(score)];
  if (unavailable) parts.push(chalk.yellow(`${unavailable} not available in this build yet`));
  if (r.status === 'passed') parts.push(next ? `next: npm run lab ${next}` : 'that was the last lab');
  else if (r.status === 'not available') parts.push(next ? `meanwhile: npm run lab ${next}` : '');
  else parts.push(`fix the ✘ above, then: npm run lab ${r.lab}`);
  return parts.filter(Boolean).join(' · ') + '\n';
}

const STATUS_COLOUR: Record<string, (s: string) => string> = {
  passed: chalk.green,
  failing: chalk.red,
  'not started': chalk.dim,
  'not available': chalk.yellow,
};

export function listLine(id: string, title: string, status: string, score?: string): string {
  const colour = STATUS_COLOUR[status] ?? ((s: string) => s);
  return `  ${id.padEnd(16)} ${title.padEnd(44)} ${colour(status.padEnd(13))} ${score ?? ''}`.trimEnd() + '\n';
}
