/**
 * The labs keep their promises: each README's "How to check your work"
 * shows exactly the checks of its checks.ts, its source links point at the
 * right lines, and `npm run lab` piped to a file has no colour codes.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { HARNESS_ROOT, LABS_DIR, labIds, loadLab } from './labs.ts';
import { BLOCK_RE, LINK_RE, symbolLine } from './readmes.ts';

const TSX = path.join(HARNESS_ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');
const ANSI = /\u001b\[[0-9;]*m/;

describe('lab READMEs', () => {
  it('every lab from 00 to 09 exists', () => {
    expect(labIds().map((id) => id.slice(0, 2))).toEqual(['00', '01', '02', '03', '04', '05', '06', '07', '08', '09']);
  });

  for (const id of labIds()) {
    it(`${id}: the README has the four sections and its transcript lists checks.ts's checks, in order`, async () => {
      const text = fs.readFileSync(path.join(LABS_DIR, id, 'README.md'), 'utf8');
      for (const s of ['## The idea', '## Relevant Documentation', '## Exercises', '## How to check your work']) expect(text).toContain(s);
      const block = BLOCK_RE.exec(text);
      expect(block?.[1]).toBe(id);
      const shown = block![2]!.split('\n').flatMap((l) => {
        const m = /^\s+[✔✘–] (\d\d)\.(\d+) (.*)$/.exec(l);
        return m ? [{ n: Number(m[2]), title: m[3] }] : [];
      });
      const lab = await loadLab(id);
      expect(shown).toEqual(lab.checks.map((c, i) => ({ n: i + 1, title: c.title })));
      expect(block![2]).toMatch(new RegExp(`score ${lab.checks.length}/${lab.checks.length}`));
    });

    it(`${id}: every source link points at its symbol`, () => {
      const text = fs.readFileSync(path.join(LABS_DIR, id, 'README.md'), 'utf8');
      for (const m of text.matchAll(LINK_RE)) {
        const [, sym, rel, line] = m;
        const file = path.resolve(LABS_DIR, id, rel!);
        expect(fs.existsSync(file), `${rel} exists`).toBe(true);
        // The symbol must exist; the anchor may drift a little as the file
        // changes (npm run labs:refresh -- --links-only makes it exact again),
        // but never so far that a student lands somewhere else.
        const actual = symbolLine(file, sym!) ?? 0;
        expect(actual, `${sym} exists in ${rel}`).toBeGreaterThan(0);
        expect(Math.abs(Number(line) - actual), `${sym} in ${rel} is at line ${actual}, linked as ${line} (run npm run labs:refresh -- --links-only)`).toBeLessThanOrEqual(25);
      }
    });
  }

  it('the 03-cgroups check is named "memory.max = 134217728"', async () => {
    const lab = await loadLab('03-cgroups');
    expect(lab.checks.some((c) => c.title.includes('memory.max = 134217728'))).toBe(true);
  });
});

describe('npm run lab', () => {
  it('piped to a file, the lab list and a lab run have no colour codes', () => {
    const out = path.join(fs.mkdtempSync('/tmp/tdk-lab-pipe-'), 'out.txt');
    try {
      // a real shell pipeline into a file, as a student would do it (FORCE_COLOR unset)
      const env: NodeJS.ProcessEnv = { ...process.env, TINY_DOCKER_LAB_STATUS: `${out}.status` };
      delete env.FORCE_COLOR;
      const r = spawnSync('sh', ['-c', `npm run --silent lab > ${out} 2>&1; npm run --silent lab 01 -- --check stdout --check exit-42 >> ${out} 2>&1; echo $?`], { cwd: HARNESS_ROOT, encoding: 'utf8', env });
      const text = fs.readFileSync(out, 'utf8');
      expect(text).toContain('01-process');
      // the check ran (its verdict is another test's business; here only the colours matter)
      expect(text, text).toMatch(/[✔✘] 01\.3 exit code 42 comes back as 42/);
      expect(text, JSON.stringify(text)).not.toMatch(ANSI);
      expect(['0', '1']).toContain(r.stdout.trim());
    } finally {
      fs.rmSync(path.dirname(out), { recursive: true, force: true });
    }
  }, 60_000);

  it('on a terminal (FORCE_COLOR=1) it does colour, so the pipe test above means something', () => {
    const r = spawnSync(process.execPath, [TSX, path.join(HARNESS_ROOT, 'harness/lab.ts')], { encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '1', TINY_DOCKER_LAB_STATUS: 'off' } });
    expect(r.stdout).toMatch(ANSI);
  });

  it('--json prints results for machines', () => {
    const r = spawnSync(process.execPath, [TSX, path.join(HARNESS_ROOT, 'harness/lab.ts'), '01', '--json', '--check', 'exit-42'], { encoding: 'utf8', env: { ...process.env, TINY_DOCKER_LAB_STATUS: 'off' } });
    const j = JSON.parse(r.stdout) as { lab: string; score: number; total: number; results: { id: string; status: string }[] };
    expect(j).toMatchObject({ lab: '01-process', score: 1, total: 1, results: [{ id: 'exit-42', status: 'pass' }] });
  }, 60_000);

  it('an unknown lab is one clear line and exit 2', () => {
    const r = spawnSync(process.execPath, [TSX, path.join(HARNESS_ROOT, 'harness/lab.ts'), '42'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/no lab "42"; labs: 00-setup/);
  });
});
