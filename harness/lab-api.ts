/**
 * What a lab's checks.ts is made of: plain data (id, title, what it runs,
 * what it expects, the hint) plus one `verify` function that runs real
 * containers through the CLI and throws a CheckFailure with the reason.
 *
 *   export default defineLab({ id: '02-namespaces', title, checks: [
 *     { id: 'pid-1', title: 'the command is PID 1', runs: 'tiny-docker run sh -c "echo $$"',
 *       expect: 'prints 1', hint: 'CLONE_NEWPID …', async verify(t) { … } },
 *   ]});
 *
 * Checks only talk to `bin/tiny-docker` (a black box), so the grader can run
 * the instructor's checks against a student's build.
 */

/** Something a check needs from the build under test; missing → "not available in this build yet". */
export type Requirement =
  /** a subcommand listed by `tiny-docker --help` (ps, logs, exec…) */
  | { command: string }
  /** a flag listed by `tiny-docker run --help` (e.g. 'memory') */
  | { runFlag: string }
  /** a Feature registered in runtime/feature-registry.ts (cgroups, network, security) */
  | { feature: string }
  /** a file in the project (e.g. lima/router.ts) */
  | { file: string }
  /** a program on the host (cc, iptables) */
  | { hostTool: string };

export interface RunResult {
  /** The command line, as a user would type it (for failure reasons). */
  command: string;
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  input?: string | Buffer;
  timeoutMs?: number;
  env?: Record<string, string>;
  /** Working directory (host commands only); default the project under test. */
  cwd?: string;
}

/** A container left running in the background while a check looks at it. */
export interface Background {
  readonly command: string;
  /** Host pids of the container's processes (children of the CLI process), for checks that signal them. */
  containerPids(): number[];
  /** stdout so far */
  output(): string;
  /** Resolves with the first match of `re` in stdout, or fails after timeoutMs. */
  waitFor(re: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** SIGTERM (forwarded to the container), then SIGKILL; resolves with the result. */
  stop(): Promise<RunResult>;
}

export interface CheckContext {
  /** A private state root (`--root`), removed after the lab. */
  readonly root: string;
  /** The rootfs the checks use (`--rootfs`). */
  readonly image: string;
  /** The project under test (a student's worktree when grading). */
  readonly project: string;
  /** A scratch directory on the host, removed after the lab. */
  readonly scratch: string;
  /** `tiny-docker --root ROOT ARGS…` */
  cli(args: string[], opts?: RunOptions): Promise<RunResult>;
  /** `tiny-docker --root ROOT run --rootfs IMAGE FLAGS… sh -c SCRIPT` */
  sh(script: string, flags?: string[], opts?: RunOptions): Promise<RunResult>;
  /** The same, left running in the background (foreground `run`, so no `-d` needed). */
  background(script: string, flags?: string[]): Background;
  /** Run a program on the host (not in a container). */
  host(file: string, args: string[], opts?: RunOptions): Promise<RunResult>;
  /** Remember a container name so the lab removes it (`rm -f`) at the end. */
  track(nameOrId: string): void;
}

export interface Check {
  /** Stable slug, unique in the lab: used in JSON, CSV and the grade book. */
  id: string;
  /** One line, shown with ✔/✘ and in the README's transcript. */
  title: string;
  /** What it runs, as a user would type it. */
  runs: string;
  /** What it asserts, in words. */
  expect: string;
  /** Printed when the check fails. */
  hint: string;
  requires?: Requirement[];
  /** Default 1. */
  points?: number;
  /** Default 30 s. */
  timeoutMs?: number;
  /** Throws CheckFailure (or anything) when the check fails. */
  verify(t: CheckContext): Promise<void>;
}

export interface Lab {
  /** 'NN-name', the folder name. */
  id: string;
  title: string;
  /** One sentence: the idea this lab teaches. */
  idea: string;
  /** Needed by every check of the lab. */
  requires?: Requirement[];
  checks: Check[];
}

export function defineLab(lab: Lab): Lab {
  const seen = new Set<string>();
  for (const c of lab.checks) {
    if (seen.has(c.id)) throw new Error(`lab ${lab.id}: duplicate check id ${c.id}`);
    seen.add(c.id);
  }
  return lab;
}

/** A check's assertion did not hold; the message is the reason shown to the student. */
export class CheckFailure extends Error {
  override name = 'CheckFailure';
}

export function fail(reason: string): never {
  throw new CheckFailure(reason);
}

/** The first line of stderr that says something, for reasons. */
export function firstError(r: RunResult): string {
  const line = r.stderr.split('\n').find((l) => l.trim() !== '');
  return line ? line.trim() : '(no error message)';
}

function quoteOut(s: string): string {
  const t = s.trim();
  if (t === '') return 'nothing';
  const short = t.length > 160 ? `${t.slice(0, 160)}…` : t;
  return JSON.stringify(short);
}

/** The command must exit with `code`. */
export function expectExit(r: RunResult, code: number): void {
  if (r.code === code) return;
  const err = r.code === 0 ? '' : `: ${firstError(r)}`;
  fail(`\`${r.command}\` exited ${r.code}, expected ${code}${err}`);
}

/** The command must succeed and print exactly `expected` (trimmed). */
export function expectOutput(r: RunResult, expected: string): void {
  expectExit(r, 0);
  if (r.stdout.trim() !== expected) fail(`\`${r.command}\` printed ${quoteOut(r.stdout)}, expected ${JSON.stringify(expected)}`);
}

/** The command must succeed and print something matching `re`. */
export function expectMatch(r: RunResult, re: RegExp, what: string): RegExpMatchArray {
  expectExit(r, 0);
  const m = r.stdout.match(re);
  if (!m) fail(`\`${r.command}\` printed ${quoteOut(r.stdout)}, expected ${what}`);
  return m;
}

/** The command must fail (any non-zero exit). */
export function expectFailure(r: RunResult, what: string): void {
  if (r.code === 0) fail(`\`${r.command}\` succeeded, but ${what} should have been refused`);
}

/** Shell-quote one argument for display. */
export function q(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}
