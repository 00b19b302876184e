/**
 * Solution regions: the runtime code a lab asks students to write.
 *
 *   export function cloneFlags(ns: NamespaceSet): number {
 *     // lab:02-namespaces begin — one CLONE_NEW* bit per namespace the spec asks for
 *     …the instructor's code…
 *     // lab:02-namespaces end
 *   }
 *
 * The rule that keeps every starter compiling: a region is a run of whole
 * STATEMENTS inside a function body (never a declaration at module level,
 * never part of an expression), and nothing after the region uses a name
 * declared inside it. Then `throw new LabNotImplementedError('NN-name');`
 * is always a valid replacement: TypeScript accepts `throw` where any
 * statement may stand, and a function whose body throws satisfies any
 * return type. The text after the dash on the begin line is the TODO hint
 * the starter keeps at that exact line.
 */
import * as path from 'node:path';

export const BEGIN_RE = /^(\s*)\/\/ lab:(\d\d-[a-z0-9-]+) begin(?:\s*[—:-]+\s*(.*))?$/;
export const END_RE = /^(\s*)\/\/ lab:(\d\d-[a-z0-9-]+) end\s*$/;

export interface Region {
  file: string;
  lab: string;
  /** 0-based line index of the begin marker */
  begin: number;
  /** 0-based line index of the end marker */
  end: number;
  indent: string;
  hint: string;
  /** The lines between the markers: the solution. */
  body: string[];
}

export class RegionError extends Error {
  override name = 'RegionError';
}

export function findRegions(text: string, file: string): Region[] {
  const lines = text.split('\n');
  const regions: Region[] = [];
  let open: { lab: string; begin: number; indent: string; hint: string } | null = null;
  lines.forEach((line, i) => {
    const b = BEGIN_RE.exec(line);
    const e = END_RE.exec(line);
    const where = `${file}:${i + 1}`;
    if (b) {
      if (open) throw new RegionError(`${where}: lab:${b[2]} begins inside lab:${open.lab} (regions do not nest)`);
      if (b[1]!.length === 0) throw new RegionError(`${where}: lab:${b[2]} is at module level; a region must sit inside a function body`);
      open = { lab: b[2]!, begin: i, indent: b[1]!, hint: (b[3] ?? '').trim() };
    } else if (e) {
      if (!open) throw new RegionError(`${where}: lab:${e[2]} end without a begin`);
      if (e[2] !== open.lab) throw new RegionError(`${where}: lab:${e[2]} end closes lab:${open.lab}`);
      if (e[1] !== open.indent) throw new RegionError(`${where}: lab:${e[2]} end is indented differently from its begin (line ${open.begin + 1})`);
      regions.push({ file, lab: open.lab, begin: open.begin, end: i, indent: open.indent, hint: open.hint, body: lines.slice(open.begin + 1, i) });
      open = null;
    } else if (/^\s*\/\/ lab:\S+ (begin|end)/.test(line)) {
      throw new RegionError(`${where}: malformed lab marker (the marker must be alone on its line: "// lab:NN-name begin")`);
    }
  });
  if (open) throw new RegionError(`${file}:${(open as { begin: number }).begin + 1}: lab:${(open as { lab: string }).lab} has no end`);
  return regions;
}

/** The import the stub needs, relative from `file` (repo-relative) to runtime/lab-stub.ts. */
export function stubImport(file: string): string {
  let rel = path.posix.relative(path.posix.dirname(file), 'runtime/lab-stub.ts');
  if (!rel.startsWith('.')) rel = `./${rel}`;
  return `import { LabNotImplementedError } from '${rel}';`;
}

/** Replace the regions of the selected labs by a TODO + throw; returns the new text (unchanged when none). */
export function stubRegions(text: string, file: string, labs: (lab: string) => boolean): { text: string; stubbed: Region[] } {
  const regions = findRegions(text, file).filter((r) => labs(r.lab));
  if (regions.length === 0) return { text, stubbed: [] };
  const lines = text.split('\n');
  for (const r of [...regions].reverse()) {
    const stub = [
      `${r.indent}// TODO(lab ${r.lab}): ${r.hint || 'write this part'} — see labs/${r.lab}/README.md`,
      `${r.indent}throw new LabNotImplementedError('${r.lab}');`,
    ];
    lines.splice(r.begin, r.end - r.begin, `${r.indent}// lab:${r.lab} begin`, ...stub);
  }
  // ESM hoists imports wherever they stand; put ours just before the first one, to stay readable.
  const first = lines.findIndex((l) => l.startsWith('import '));
  lines.splice(first >= 0 ? first : 0, 0, stubImport(file));
  return { text: lines.join('\n'), stubbed: regions };
}

/** Solution lines worth looking for (code, not comments or punctuation). */
export function significantLines(r: Region): string[] {
  return r.body.map((l) => l.trim()).filter((l) => l.length >= 16 && !l.startsWith('//') && !l.startsWith('*'));
}

/** Which solution lines still appear in the given files' text: must be none in a starter. */
export function leakedLines(regions: Region[], files: Map<string, string>): { line: string; file: string }[] {
  const leaks: { line: string; file: string }[] = [];
  for (const r of regions) {
    for (const line of significantLines(r)) {
      for (const [f, text] of files) if (text.includes(line)) leaks.push({ line, file: f });
    }
  }
  return leaks;
}
