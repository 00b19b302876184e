/**
 * npm run report -- TRACE.json [--out DIR]
 *
 * Turns a `tiny-docker run --trace-file TRACE.json …` into a markdown report
 * with a timeline SVG next to it (reports/ by default).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { projectRoot } from '../../runtime/init/binary.ts';
import { containerDirOf, readTraceFile, shortener } from './trace-file.ts';
import { timelineSvg } from './timeline.ts';
import { traceMarkdown } from './trace-report.ts';

export function writeTraceReport(traceFile: string, outDir: string): { markdown: string; svg: string } {
  const events = readTraceFile(traceFile);
  const dir = containerDirOf(events);
  const shorten = shortener(dir);
  const base = `trace-${path.basename(traceFile).replace(/\.json$/i, '')}`;
  fs.mkdirSync(outDir, { recursive: true });
  const svg = path.join(outDir, `${base}.svg`);
  const markdown = path.join(outDir, `${base}.md`);
  fs.writeFileSync(svg, timelineSvg(events, `Where the milliseconds go: ${path.basename(traceFile)}`, shorten));
  fs.writeFileSync(markdown, traceMarkdown(events, { source: traceFile, svgFile: path.basename(svg), shorten, containerDir: dir }));
  return { markdown, svg };
}

function main(): void {
  const { values, positionals } = parseArgs({ options: { out: { type: 'string' } }, allowPositionals: true });
  if (positionals.length !== 1) {
    process.stderr.write('usage: npm run report -- TRACE.json [--out DIR]\n  (make one with: tiny-docker run --trace-file TRACE.json --rm /bin/true)\n');
    process.exit(2);
  }
  try {
    const out = writeTraceReport(positionals[0]!, path.resolve(values.out ?? path.join(projectRoot(), 'reports')));
    process.stdout.write(`${out.markdown}\n${out.svg}\n`);
  } catch (err) {
    process.stderr.write(`report: ${(err as Error).message}\n`);
    process.exit(1);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) main();
