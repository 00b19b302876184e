/**
 * Solution regions: the runtime code a lab asks students to write.
 *
 * Two shapes, both always stubbed into code that compiles:
 *
 * 1. Statements inside a function body (the begin marker is indented):
 *
 *      export function cloneFlags(ns: NamespaceSet): number {
 *        // lab:02-namespaces begin — one CLONE_NEW* bit per namespace the spec asks for
 *        …the instructor's code…
 *        // lab:02-namespaces end
 *      }
 *
 *    The region becomes `throw new LabNotImplementedError('NN-name');`: TypeScript
 *    accepts a throw wherever a statement may stand, and a function whose body
 *    throws satisfies any return type. Rule: nothing after the region may use a
 *    name declared inside it (when in doubt, wrap the whole body).
 *
 * 2. Whole declarations at module level (the begin marker is not indented):
 *    every function, arrow function, method and constructor in the region keeps
 *    its signature (and its doc comment), and only its BODY becomes the throw,
 *    so every caller still compiles. Types, interfaces and plain constants in the
 *    region are kept as they are.
 *
 * A shape-1 region may also be a run of comma-separated ELEMENTS (inside an
 * array literal or an argument list): it then becomes one element,
 * `(() => { throw … })(),`, which has type never and fits anywhere.
 *
 * The text after the dash on the begin line is the TODO hint the starter keeps
 * at that exact line.
 */
import * as path from 'node:path';
import ts from 'typescript';

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
  /** Declarations at module level (shape 2) rather than statements in a body (shape 1). */
  moduleLevel: boolean;
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
      open = { lab: b[2]!, begin: i, indent: b[1]!, hint: (b[3] ?? '').trim() };
    } else if (e) {
      if (!open) throw new RegionError(`${where}: lab:${e[2]} end without a begin`);
      if (e[2] !== open.lab) throw new RegionError(`${where}: lab:${e[2]} end closes lab:${open.lab}`);
      if (e[1] !== open.indent) throw new RegionError(`${where}: lab:${e[2]} end is indented differently from its begin (line ${open.begin + 1})`);
      regions.push({ file, lab: open.lab, begin: open.begin, end: i, indent: open.indent, hint: open.hint, body: lines.slice(open.begin + 1, i), moduleLevel: open.indent === '' });
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

function stubStatement(r: Region): string {
  return `throw new LabNotImplementedError('${r.lab}');`;
}

/**
 * Shape 2: replace the body of every function-like declaration in the region's
 * text (parsed with the TypeScript compiler) by a TODO and a throw.
 */
export function stubDeclarations(r: Region): string[] {
  const text = r.body.join('\n');
  const sf = ts.createSourceFile(r.file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const edits: { start: number; end: number; text: string }[] = [];
  const stubBody = (node: ts.Node) => {
    const line = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line;
    const indent = /^\s*/.exec(text.split('\n')[line] ?? '')![0];
    return `{\n${indent}  // TODO(lab ${r.lab}): ${r.hint || 'write this part'} — see labs/${r.lab}/README.md\n${indent}  ${stubStatement(r)}\n${indent}}`;
  };
  const visit = (node: ts.Node): void => {
    if ((ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node) || ts.isConstructorDeclaration(node) || ts.isGetAccessorDeclaration(node) || ts.isSetAccessorDeclaration(node) || ts.isFunctionExpression(node)) && node.body) {
      edits.push({ start: node.body.getStart(sf), end: node.body.getEnd(), text: stubBody(node) });
      return; // nested functions go with their parent's body
    }
    if (ts.isArrowFunction(node)) {
      edits.push({ start: node.body.getStart(sf), end: node.body.getEnd(), text: stubBody(node) });
      return;
    }
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(sf, visit);
  let out = text;
  for (const e of edits.sort((a, b) => b.start - a.start)) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out.split('\n');
}

/** Replace the regions of the selected labs by a TODO + throw; returns the new text (unchanged when none). */
export function stubRegions(text: string, file: string, labs: (lab: string) => boolean): { text: string; stubbed: Region[] } {
  const regions = findRegions(text, file).filter((r) => labs(r.lab));
  if (regions.length === 0) return { text, stubbed: [] };
  const lines = text.split('\n');
  for (const r of [...regions].reverse()) {
    const used = r.moduleLevel ? [] : namesUsedAfter(r, lines);
    const stub = r.moduleLevel
      ? stubDeclarations(r)
      : isElementList(r)
      ? [
          // a region inside an array literal or an argument list: an expression that throws
          `${r.indent}// TODO(lab ${r.lab}): ${r.hint || 'write this part'} — see labs/${r.lab}/README.md`,
          `${r.indent}(() => { ${stubStatement(r)} })(),`,
        ]
      : [
          `${r.indent}// TODO(lab ${r.lab}): ${r.hint || 'write this part'} — see labs/${r.lab}/README.md`,
          // the code after the region uses these names: keep them declared so the starter compiles
          ...(used.length ? [`${r.indent}let ${used.map((n) => `${n}: any`).join(', ')}; // used below: your code declares them`] : []),
          `${r.indent}${stubStatement(r)}`,
        ];
    lines.splice(r.begin, r.end - r.begin, `${r.indent}// lab:${r.lab} begin`, ...stub);
  }
  // ESM hoists imports wherever they stand; put ours just before the first one, to stay readable.
  const first = lines.findIndex((l) => l.startsWith('import '));
  lines.splice(first >= 0 ? first : 0, 0, stubImport(file));
  return { text: lines.join('\n'), stubbed: regions };
}

function parses(text: string): boolean {
  const sf = ts.createSourceFile('probe.ts', text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS) as ts.SourceFile & { parseDiagnostics?: unknown[] };
  return (sf.parseDiagnostics ?? []).length === 0;
}

/** A region that is not statements but comma-separated elements (inside `[ … ]` or a call's arguments). */
export function isElementList(r: Region): boolean {
  const body = r.body.join('\n');
  return !parses(`function __r() {\n${body}\n}`) && parses(`const __r = [\n${body}\n];`);
}

/**
 * Names a shape-1 region declares at its own level that the rest of its block
 * still uses (e.g. `const facts = …` in the region, `return facts;` after it).
 */
export function namesUsedAfter(r: Region, lines: string[]): string[] {
  const sf = ts.createSourceFile('region.ts', `function __region() {\n${r.body.join('\n')}\n}`, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const fn = sf.statements[0];
  if (!fn || !ts.isFunctionDeclaration(fn) || !fn.body) return [];
  const names: string[] = [];
  const bind = (n: ts.BindingName) => {
    if (ts.isIdentifier(n)) names.push(n.text);
    else for (const e of n.elements) if (!ts.isOmittedExpression(e)) bind(e.name);
  };
  for (const st of fn.body.statements) {
    if (ts.isVariableStatement(st)) for (const d of st.declarationList.declarations) bind(d.name);
    else if ((ts.isFunctionDeclaration(st) || ts.isClassDeclaration(st)) && st.name) names.push(st.name.text);
  }
  // the rest of the enclosing block: up to the first line indented less than the region
  const rest: string[] = [];
  for (const l of lines.slice(r.end + 1)) {
    if (l.trim() !== '' && /^\s*/.exec(l)![0].length < r.indent.length) break;
    rest.push(l);
  }
  const after = rest.join('\n');
  return [...new Set(names)].filter((n) => new RegExp(`\\b${n}\\b`).test(after));
}

/** The solution lines a stub removed: the region's lines that its stub no longer has. */
export function removedLines(r: Region): string[] {
  if (!r.moduleLevel) return r.body;
  const kept = new Set(stubDeclarations(r).map((l) => l.trim()));
  return r.body.filter((l) => !kept.has(l.trim()));
}

/** Solution lines worth looking for (code, not comments or punctuation). */
export function significantLines(r: Region): string[] {
  return removedLines(r)
    .map((l) => l.trim()).filter((l) => l.length >= 16 && !l.startsWith('//') && !l.startsWith('*'));
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
