/**
 * npm run labs:refresh [-- --links-only] [NN …]
 *
 * Keeps the lab READMEs true to the code:
 *  - links like [`cloneFlags`](../../runtime/namespaces.ts#L67) get their line
 *    anchor recomputed from where the symbol is defined now (merges move lines);
 *  - the "How to check your work" block between
 *    <!-- transcript:begin NN-name --> and <!-- transcript:end --> is replaced by a
 *    real run of `npm run lab NN` (plain text). When the lab cannot fully pass in
 *    this build (its feature has not landed), the block shows the expected
 *    output built from checks.ts instead, and says so in a visible line.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { HARNESS_ROOT, LABS_DIR, labIds, loadLab, nextLab } from './labs.ts';
import type { Lab } from './lab-api.ts';

export const LINK_RE = /\[`([^`]+)`\]\((\.\.\/\.\.\/[^)#]+)#L(\d+)\)/g;
export const BLOCK_RE = /<!-- transcript:begin ([\w-]+) -->\n([\s\S]*?)<!-- transcript:end -->/;

/** The 1-based line where `symbol` is defined (or first used) in a file; null if absent. */
export function symbolLine(file: string, symbol: string): number | null {
  let lines: string[];
  try {
    lines = fs.readFileSync(file, 'utf8').split('\n');
  } catch {
    return null;
  }
  const s = symbol.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const patterns = [
    new RegExp(`\\b(function|class|interface|type|const|let)\\s+${s}\\b`),
    new RegExp(`^\\s*(export\\s+)?(async\\s+)?${s}\\??\\s*\\(`),
    new RegExp(`\\b(int|void|static)\\s+\\**${s}\\s*\\(`),
    new RegExp(`\\b${s}\\??\\s*[(:]`),
    new RegExp(`\\b${s}\\b`),
  ];
  for (const re of patterns) {
    const i = lines.findIndex((l) => re.test(l) && !/^\s*(\*|\/\/)/.test(l));
    if (i >= 0) return i + 1;
  }
  return null;
}

export function fixLinks(text: string, readmeDir: string): { text: string; missing: string[] } {
  const missing: string[] = [];
  const out = text.replace(LINK_RE, (all, sym: string, rel: string) => {
    const line = symbolLine(path.resolve(readmeDir, rel), sym);
    if (line === null) {
      missing.push(`${sym} in ${rel}`);
      return all;
    }
    return `[\`${sym}\`](${rel}#L${line})`;
  });
  return { text: out, missing };
}

/** What `npm run lab` prints when every check passes (for labs whose feature is not in this build). */
export function expectedTranscript(lab: Lab): string {
  const total = lab.checks.reduce((s, c) => s + (c.points ?? 1), 0);
  const next = nextLab(lab.id);
  return [
    `lab ${lab.id} — ${lab.title}`,
    lab.idea,
    ...lab.checks.map((c, i) => `  ✔ ${lab.id.slice(0, 2)}.${i + 1} ${c.title}`),
    `score ${total}/${total} · ${next ? `next: npm run lab ${next}` : 'that was the last lab'}`,
  ].join('\n');
}

function runTranscript(id: string): { text: string; passed: boolean } {
  const r = spawnSync(process.execPath, [path.join(HARNESS_ROOT, 'node_modules/tsx/dist/cli.mjs'), path.join(HARNESS_ROOT, 'harness/lab.ts'), id], {
    encoding: 'utf8',
    env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1', TINY_DOCKER_LAB_STATUS: 'off' },
  });
  return { text: r.stdout.trimEnd(), passed: r.status === 0 && !r.stdout.includes('not available') };
}

async function refresh(id: string, linksOnly: boolean): Promise<string> {
  const file = path.join(LABS_DIR, id, 'README.md');
  let text = fs.readFileSync(file, 'utf8');
  const links = fixLinks(text, path.dirname(file));
  text = links.text;
  let how = 'links';
  if (!linksOnly) {
    const lab = await loadLab(id);
    const run = runTranscript(id);
    const body = run.passed
      ? `\`\`\`console\n$ sudo npm run lab ${id}\n${run.text}\n\`\`\`\n`
      : `Expected output once this lab's feature is in your build (this block is built from checks.ts; run \`npm run labs:refresh\` to replace it with a real run):\n\n\`\`\`console\n$ sudo npm run lab ${id}\n${expectedTranscript(lab)}\n\`\`\`\n`;
    const existing = BLOCK_RE.exec(text)?.[2] ?? '';
    if (!run.passed && existing.trim() !== '' && !existing.startsWith('Expected output')) {
      how = 'kept the recorded transcript (this build cannot run every check)';
    } else {
      text = text.replace(BLOCK_RE, `<!-- transcript:begin ${id} -->\n${body}<!-- transcript:end -->`);
      how = run.passed ? 'real transcript' : 'expected transcript (feature not in this build)';
    }
  }
  fs.writeFileSync(file, text);
  return `${id}: ${how}${links.missing.length ? `; unresolved links: ${links.missing.join(', ')}` : ''}`;
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  const args = process.argv.slice(2);
  const linksOnly = args.includes('--links-only');
  const ids = args.filter((a) => !a.startsWith('-'));
  for (const id of ids.length ? ids.map((a) => labIds().find((l) => l.startsWith(a.padStart(2, '0'))) ?? a) : labIds()) {
    process.stdout.write((await refresh(id, linksOnly)) + '\n');
  }
}
