/**
 * npm run starter -- --out DIR [--labs 03,04] [--from DIR] [--no-git]
 *
 * Writes a student starter repository: a copy of this checkout (the files
 * git tracks, plus untracked ones that are not ignored) in which the
 * solution regions of the chosen labs are replaced by a TODO and a
 * `throw new LabNotImplementedError('NN-name')`, then `git init` and one
 * commit. It refuses to finish if a solution line is still in the copy.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { HARNESS_ROOT, resolveLabId, labIds } from './labs.ts';
import { findRegions, leakedLines, removedLines, significantLines, stubRegions, RegionError, type Region } from './regions.ts';

export interface StarterOptions {
  out: string;
  /** Lab ids whose regions are stubbed; null = every lab. */
  labs: string[] | null;
  from: string;
  git: boolean;
}

export interface StarterResult {
  out: string;
  files: number;
  stubbed: Region[];
  labs: string[];
}

/** Files of the source checkout: tracked + untracked-but-not-ignored (so uncommitted work is included). */
export function sourceFiles(from: string): string[] {
  const out = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: from, encoding: 'utf8', maxBuffer: 64 << 20 });
  return [...new Set(out.split('\0').filter(Boolean))].filter((f) => {
    const st = fs.lstatSync(path.join(from, f), { throwIfNoEntry: false });
    return st !== undefined && (st.isFile() || st.isSymbolicLink()) && !f.startsWith('rootfs/images') && f !== 'node_modules';
  });
}

/** Every region in the checkout's TypeScript files. */
export function allRegions(from: string, files = sourceFiles(from)): Region[] {
  return files.filter((f) => f.endsWith('.ts') && !f.startsWith('harness/')).flatMap((f) => findRegions(fs.readFileSync(path.join(from, f), 'utf8'), f));
}

export function writeStarter(o: StarterOptions): StarterResult {
  if (fs.existsSync(o.out) && fs.readdirSync(o.out).length > 0) throw new Error(`--out ${o.out} exists and is not empty; choose a new directory`);
  const files = sourceFiles(o.from);
  const regions = allRegions(o.from, files);
  const chosen = o.labs ?? [...new Set(regions.map((r) => r.lab))].sort();
  const selected = (lab: string) => chosen.includes(lab);
  const stubbed: Region[] = [];
  const written = new Map<string, string>();
  for (const f of files) {
    const src = path.join(o.from, f);
    const dst = path.join(o.out, f);
    fs.mkdirSync(path.dirname(dst), { recursive: true });
    const st = fs.lstatSync(src);
    if (st.isSymbolicLink()) {
      fs.symlinkSync(fs.readlinkSync(src), dst);
      continue;
    }
    if (f.endsWith('.ts') && !f.startsWith('harness/')) {
      const text = fs.readFileSync(src, 'utf8');
      const r = stubRegions(text, f, selected);
      stubbed.push(...r.stubbed);
      fs.writeFileSync(dst, r.text, { mode: st.mode & 0o777 });
      written.set(f, r.text);
    } else {
      fs.copyFileSync(src, dst);
      fs.chmodSync(dst, st.mode & 0o777);
      if (/\.(md|ts|js|mjs|json|c|h|sh)$/.test(f)) written.set(f, fs.readFileSync(dst, 'utf8'));
    }
  }
  // The promise to instructors: no solution line survives. Lines that also appear outside
  // every region anywhere in the instructor's checkout (e.g. `return flags;`, or
  // `return new Promise((resolve) => {` in another module) are not secrets.
  const outside: string[] = [];
  for (const f of files) {
    if (!/\.(ts|mjs|js|c)$/.test(f)) continue;
    const text = fs.readFileSync(path.join(o.from, f), 'utf8');
    outside.push(f.endsWith('.ts') && !f.startsWith('harness/') ? stubRegions(text, f, () => true).text : text);
  }
  const common = (line: string) => outside.some((t) => t.includes(line));
  const secret = stubbed.map((r) => ({ ...r, moduleLevel: false, body: removedLines(r).filter((l) => !common(l.trim())) }));
  const leaks = leakedLines(secret, written);
  if (leaks.length) throw new Error(`solution lines leaked into the starter: ${leaks.slice(0, 3).map((l) => `${l.file}: ${l.line}`).join('; ')}`);
  writeStudentNote(o.out, chosen);
  if (o.git) {
    const git = (...args: string[]) => execFileSync('git', args, { cwd: o.out, stdio: 'ignore' });
    git('init', '-q', '-b', 'main');
    git('add', '-A');
    git('-c', 'user.name=tiny-docker starter', '-c', 'user.email=starter@tiny-docker.invalid', 'commit', '-q', '-m', `Starter for labs ${chosen.join(', ')}`);
  }
  return { out: o.out, files: files.length, stubbed, labs: chosen };
}

function writeStudentNote(out: string, labs: string[]): void {
  const lines = [
    '# Your tiny-docker starter',
    '',
    'Parts of the runtime are missing: each is marked `// TODO(lab NN-name)` at the exact line, and',
    'throws "lab NN-name: not implemented yet" until you write it. Work through the labs in order:',
    '',
    ...labs.map((l) => `- [ ] \`${l}\`: read [labs/${l}/README.md](labs/${l}/README.md), then \`sudo npm run lab ${l}\``),
    '',
    '`sudo npm run lab` lists every lab with its status. Commit as you go: your instructor grades your branch.',
    '',
  ];
  fs.writeFileSync(path.join(out, 'STUDENT.md'), lines.join('\n'));
}

function parseArgs(argv: string[]): StarterOptions {
  const o: StarterOptions = { out: '', labs: null, from: HARNESS_ROOT, git: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const v = () => argv[++i] ?? fatal(`${a} needs a value`);
    if (a === '--out') o.out = path.resolve(v());
    else if (a === '--labs') {
      o.labs = v()
        .split(',')
        .map((x) => resolveLabId(x) ?? fatal(`no lab ${JSON.stringify(x)}; labs: ${labIds().join(', ')}`));
    } else if (a === '--from') o.from = path.resolve(v());
    else if (a === '--no-git') o.git = false;
    else fatal(`unknown option ${a}`);
  }
  if (!o.out) fatal('--out DIR is required');
  return o;
}

function fatal(msg: string): never {
  process.stderr.write(`npm run starter: ${msg}\nusage: npm run starter -- --out DIR [--labs 03,04]\n`);
  process.exit(2);
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  try {
    const o = parseArgs(process.argv.slice(2));
    const r = writeStarter(o);
    const byLab = new Map<string, number>();
    for (const s of r.stubbed) byLab.set(s.lab, (byLab.get(s.lab) ?? 0) + 1);
    for (const lab of r.labs) {
      const n = byLab.get(lab) ?? 0;
      process.stdout.write(n ? `  ${lab}: ${n} region(s) replaced by a TODO\n` : `  ${lab}: no marked region in this build (its checks still run)\n`);
    }
    process.stdout.write(`wrote ${r.out} (${r.files} files, one commit); no solution line left in it\n`);
    process.stdout.write(`next: cd ${r.out} && npm ci && sudo npm run lab\n`);
  } catch (err) {
    process.stderr.write(`npm run starter: ${err instanceof RegionError || err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
}
void significantLines;
