/**
 * The student repository: a local path (bare or not) or a URL cloned once,
 * its branches matched by a glob, and one git worktree per branch.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';

function git(cwd: string, args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 16 << 20 }).trim();
}

/** A path stays as it is; a URL is cloned (bare) into work/. */
export function openRepo(repo: string, work: string): string {
  if (/^(https?|ssh|git|file):\/\/|^[\w.-]+@[\w.-]+:/.test(repo)) {
    const dest = path.join(work, 'repo.git');
    execFileSync('git', ['clone', '--quiet', '--bare', repo, dest], { stdio: ['ignore', 'ignore', 'pipe'] });
    return dest;
  }
  const abs = path.resolve(repo);
  if (!fs.existsSync(abs)) throw new Error(`--repo ${repo}: no such directory`);
  git(abs, ['rev-parse', '--git-dir']);
  return abs;
}

/** 'student/*' → every branch under student/; '*' matches within one path segment, '**' across. */
export function globToRegExp(glob: string): RegExp {
  const re = glob
    .split('')
    .map((c, i, a) => (c === '*' ? (a[i + 1] === '*' ? '.*' : a[i - 1] === '*' ? '' : '[^/]*') : c === '?' ? '[^/]' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${re}$`);
}

export interface Branch {
  name: string;
  commit: string;
  /** The part after the glob's fixed prefix: student/alice → alice. */
  student: string;
}

export function matchBranches(repo: string, glob: string): Branch[] {
  const re = globToRegExp(glob);
  const prefix = glob.slice(0, glob.search(/[*?]|$/));
  const refs = git(repo, ['for-each-ref', '--format=%(refname:short) %(objectname)', 'refs/heads/', 'refs/remotes/']).split('\n').filter(Boolean);
  const seen = new Set<string>();
  const out: Branch[] = [];
  for (const line of refs) {
    const [ref, commit] = line.split(' ') as [string, string];
    const name = ref.replace(/^origin\//, '');
    if (!re.test(name) || seen.has(name)) continue;
    seen.add(name);
    out.push({ name, commit, student: name.startsWith(prefix) ? name.slice(prefix.length) || name : name });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

export function addWorktree(repo: string, branch: Branch, dir: string): void {
  git(repo, ['worktree', 'add', '--quiet', '--detach', '--force', dir, branch.commit]);
}

export function removeWorktree(repo: string, dir: string): void {
  try {
    git(repo, ['worktree', 'remove', '--force', dir]);
  } catch {
    fs.rmSync(dir, { recursive: true, force: true });
    try {
      git(repo, ['worktree', 'prune']);
    } catch {
      // nothing to prune
    }
  }
}
