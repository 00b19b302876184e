/**
 * npm run conformance: the opencontainers/runtime-tools validation programs
 * against tiny-runc, and against runc in the same run when it is installed.
 * Writes reports/conformance-<date>.md (per program: pass/fail, assertion
 * counts, the failures) and reports/conformance-<date>.tap (all TAP output).
 *
 * The suite is not ours and is not vendored: build it once, outside this
 * repository, and point RUNTIME_TOOLS_DIR at it (see reports/README.md):
 *
 *   git clone https://github.com/opencontainers/runtime-tools
 *   cd runtime-tools && GOFLAGS=-mod=vendor GOPROXY=off make runtimetest validation-executables
 *   RUNTIME_TOOLS_DIR=$PWD npm run conformance      (as root)
 *
 * Options: --only a,b (program names), --runtimes tiny-runc,runc.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { projectRoot } from '../init/binary.ts';
import { mountsUnder } from '../rootfs/mounts.ts';
import { MNT } from '../sys/flags.ts';
import { umount2 } from '../sys/syscalls.ts';
import { parseTap, programPassed, type ProgramResult } from './tap.ts';

const TIMEOUT_MS = 300_000;

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function findPrograms(dir: string): string[] {
  const vdir = path.join(dir, 'validation');
  return fs
    .readdirSync(vdir)
    .filter((d) => fs.existsSync(path.join(vdir, d, `${d}.t`)))
    .sort();
}

function runProgram(dir: string, program: string, runtime: string): Promise<ProgramResult> {
  const start = performance.now();
  return new Promise((resolve) => {
    const child = spawn(path.join(dir, 'validation', program, `${program}.t`), [], {
      cwd: dir, // the programs find runtimetest and rootfs-<arch>.tar.gz relative to it
      env: { ...process.env, RUNTIME: runtime },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, TIMEOUT_MS);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ program, exitCode: code, timedOut, tap: parseTap(out), tapText: out, stderr: err, ms: performance.now() - start });
    });
  });
}

function which(cmd: string): string | null {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

function version(cmd: string): string {
  const r = spawnSync(cmd, ['--version'], { encoding: 'utf8' });
  return (r.stdout || r.stderr || '').split('\n')[0]!.trim();
}

async function main(): Promise<number> {
  const dir = process.env.RUNTIME_TOOLS_DIR;
  if (!dir) {
    console.log('conformance: skipped: set RUNTIME_TOOLS_DIR to a built opencontainers/runtime-tools checkout (see the header of runtime/oci/conformance.ts)');
    return 0;
  }
  if (process.getuid?.() !== 0) {
    console.error('conformance: the validation programs create containers: run as root');
    return 1;
  }
  const root = projectRoot();
  const only = arg('only')?.split(',');
  const programs = findPrograms(dir).filter((p) => !only || only.includes(p));
  const runtimes: [string, string][] = [['tiny-runc', path.join(root, 'bin', 'tiny-runc')]];
  const runc = which('runc');
  if (runc) runtimes.push(['runc', runc]);
  const wanted = arg('runtimes')?.split(',');
  const chosen = runtimes.filter(([n]) => !wanted || wanted.includes(n));

  const results = new Map<string, ProgramResult[]>();
  const leftovers = new Map<string, string[]>(); // "runtime program" → what it left on the host
  for (const [name, cmd] of chosen) {
    const list: ProgramResult[] = [];
    for (const p of programs) {
      const before = bundleDirs();
      const r = await runProgram(dir, p, cmd);
      list.push(r);
      const left = sweep(before);
      if (left.length > 0) leftovers.set(`${name} ${p}`, left);
      const note = left.length > 0 ? `, left ${left.length} host mount(s): removed` : '';
      console.log(`${name.padEnd(9)} ${programPassed(r) ? 'pass' : 'FAIL'} ${p} (${r.tap.passed}/${r.tap.passed + r.tap.failed}, ${(r.ms / 1000).toFixed(1)} s${note})`);
    }
    results.set(name, list);
  }

  const date = new Date().toISOString().slice(0, 10);
  fs.mkdirSync(path.join(root, 'reports'), { recursive: true });
  const md = path.join(root, 'reports', `conformance-${date}.md`);
  const tapFile = path.join(root, 'reports', `conformance-${date}.tap`);
  fs.writeFileSync(md, report(results, programs, chosen, dir, path.basename(tapFile), leftovers));
  fs.writeFileSync(tapFile, tapDump(results));
  console.log(`\nwrote ${path.relative(process.cwd(), md)} and ${path.relative(process.cwd(), tapFile)}`);
  return 0;
}

// ── what a program leaves behind ──────────────────────────────────────────
// Each program unpacks its bundle into a fresh $TMPDIR/ocitest<N> and removes
// it at the end. A container without a mount namespace makes its mounts on
// the host, and if the runtime does not undo them, the removal fails and the
// mounts stay. We undo them after every program (whichever runtime made
// them) and say so in the report: the run must leave the host as it found it.
const BUNDLE_PREFIX = path.join(os.tmpdir(), 'ocitest');

function bundleDirs(): Set<string> {
  return new Set(
    fs
      .readdirSync(os.tmpdir())
      .map((n) => path.join(os.tmpdir(), n))
      .filter((p) => p.startsWith(BUNDLE_PREFIX)),
  );
}

/** Detach mounts under bundle dirs made since `before`, then remove those dirs; returns the mount points. */
function sweep(before: Set<string>): string[] {
  const fresh = [...bundleDirs()].filter((d) => !before.has(d));
  const mounts = fresh.flatMap((d) => mountsUnder(d)); // deepest first, per dir
  for (const m of mounts) {
    try {
      umount2(m, MNT.MNT_DETACH);
    } catch {
      // already gone with its parent
    }
  }
  for (const d of fresh) fs.rmSync(d, { recursive: true, force: true });
  return mounts;
}

function totals(list: ProgramResult[]): { ok: number; all: number; programs: number } {
  return {
    ok: list.reduce((n, r) => n + r.tap.passed, 0),
    all: list.reduce((n, r) => n + r.tap.passed + r.tap.failed, 0),
    programs: list.filter(programPassed).length,
  };
}

function report(results: Map<string, ProgramResult[]>, programs: string[], chosen: [string, string][], dir: string, tapName: string, leftovers: Map<string, string[]>): string {
  const names = [...results.keys()];
  const lines = [
    `# OCI conformance: runtime-tools validation (${new Date().toISOString()})`,
    '',
    `Suite: \`${dir}\` (${gitDescribe(dir)}), ${programs.length} programs. Full TAP output: [${tapName}](${tapName}).`,
    '',
    '| runtime | version | programs passed | assertions passed |',
    '| --- | --- | --- | --- |',
    ...chosen.map(([n, cmd]) => {
      const t = totals(results.get(n)!);
      return `| ${n} | ${version(cmd)} | ${t.programs} / ${programs.length} | ${t.ok} / ${t.all} |`;
    }),
    '',
    'A program passes when it exits 0 with no `not ok` line.',
    '',
    `| program | ${names.map((n) => `${n}`).join(' | ')} |`,
    `| --- | ${names.map(() => '---').join(' | ')} |`,
  ];
  for (let i = 0; i < programs.length; i++) {
    const cells = names.map((n) => {
      const r = results.get(n)![i]!;
      return `${programPassed(r) ? 'pass' : '**FAIL**'} ${r.tap.passed}/${r.tap.passed + r.tap.failed}${r.timedOut ? ' (timeout)' : r.exitCode ? ` (exit ${r.exitCode})` : ''}`;
    });
    lines.push(`| ${programs[i]} | ${cells.join(' | ')} |`);
  }
  lines.push('', '## Left on the host', '');
  if (leftovers.size === 0) lines.push('Nothing: no program left a mount or a bundle directory behind.');
  else {
    lines.push('Mounts a program left under its bundle directory (no mount namespace, and the runtime did not undo them). The run detached them and removed the directories afterwards.', '');
    for (const [who, mounts] of leftovers) lines.push(`- **${who}**: ${mounts.length} mount(s): ${mounts.map((m) => `\`${m.replace(BUNDLE_PREFIX, '$TMPDIR/ocitest')}\``).join(', ')}`);
  }
  lines.push('', '## Failures', '');
  for (const n of names) {
    lines.push(`### ${n}`, '');
    for (const r of results.get(n)!) {
      if (programPassed(r)) continue;
      const why = r.tap.failures.slice(0, 5).map((f) => `\`${f}\``).join('; ');
      const err = r.stderr.trim().split('\n').slice(-2).join(' ').slice(0, 300);
      lines.push(`- **${r.program}**: ${why || '(no assertion)'}${err ? ` — stderr: ${err.replace(/\|/g, '\\|')}` : ''}`);
    }
    lines.push('');
  }
  return lines.join('\n');
}

function tapDump(results: Map<string, ProgramResult[]>): string {
  const out: string[] = [];
  for (const [n, list] of results) {
    for (const r of list) {
      out.push(`# ===== ${n} ${r.program} (exit ${r.exitCode}${r.timedOut ? ', timeout' : ''})`);
      out.push(r.tapText.trimEnd());
      if (r.stderr.trim()) out.push(...r.stderr.trimEnd().split('\n').map((l) => `# stderr: ${l}`));
    }
  }
  return out.join('\n') + '\n';
}

function gitDescribe(dir: string): string {
  const r = spawnSync('git', ['-C', dir, 'describe', '--always', '--tags'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : 'unknown version';
}

process.exit(await main());
