/**
 * The marker convention: regions are whole statements inside a function
 * body, so the stub is always a valid replacement (pure text, no root needed).
 */
import { describe, expect, it } from 'vitest';
import { findRegions, stubRegions, stubImport } from './regions.ts';

const SRC = [
  "import * as fs from 'node:fs';",
  'export function f(x: number): number {',
  '  // lab:02-namespaces begin — double it',
  '  const y = x * 2;',
  '  return y;',
  '  // lab:02-namespaces end',
  '}',
  '',
].join('\n');

describe('solution regions', () => {
  it('a region is found with its lab, hint and body', () => {
    const [r] = findRegions(SRC, 'runtime/x.ts');
    expect(r).toMatchObject({ lab: '02-namespaces', hint: 'double it', begin: 2, end: 5, body: ['  const y = x * 2;', '  return y;'] });
  });

  it('the stub replaces the body with a TODO and a throw, and imports the error', () => {
    const { text } = stubRegions(SRC, 'runtime/rootfs/x.ts', () => true);
    expect(text).toContain("import { LabNotImplementedError } from '../lab-stub.ts';");
    expect(text).toContain("  throw new LabNotImplementedError('02-namespaces');");
    expect(text).toContain('  // TODO(lab 02-namespaces): double it — see labs/02-namespaces/README.md');
    expect(text).not.toContain('x * 2');
  });

  it('names the region declares and the code after it uses stay declared', () => {
    const src = ['function g(): number {', '  // lab:03-cgroups begin', '  const facts = 1, other = 2;', '  // lab:03-cgroups end', '  return facts;', '}', ''].join('\n');
    const { text } = stubRegions(src, 'runtime/g.ts', () => true);
    expect(text).toContain('  let facts: any; // used below: your code declares them');
    expect(text).not.toContain('other');
  });

  it('a region of array elements becomes one element that throws', () => {
    const src = ['function rules(s: string): string {', '  return [', "    'a',", '    // lab:05-networking begin', '    `-A POST -s ${s} -j MASQUERADE`,', '    // lab:05-networking end', "    'b',", "  ].join('\\n');", '}', ''].join('\n');
    const { text } = stubRegions(src, 'runtime/n.ts', () => true);
    expect(text).toContain("    (() => { throw new LabNotImplementedError('05-networking'); })(),");
    expect(text).not.toContain('MASQUERADE');
  });

  it('labs that are not selected are left alone', () => {
    expect(stubRegions(SRC, 'runtime/x.ts', (l) => l === '03-cgroups').text).toBe(SRC);
  });

  it('bad markers are refused with the file and line', () => {
    expect(() => findRegions('f() {\n  // lab:01-process begin\n}\n', 'a.ts')).toThrow(/has no end/);
    expect(() => findRegions('f() {\n  // lab:01-process begin\n  // lab:02-namespaces end\n}\n', 'a.ts')).toThrow(/closes lab:01-process/);
    expect(() => findRegions('f() {\n  // lab:01-process begin\n    // lab:01-process end\n}\n', 'a.ts')).toThrow(/indented differently/);
  });

  it('a module-level region keeps every signature and stubs only the bodies', () => {
    const src = [
      '// lab:05-networking begin — the two ip -batch programs',
      '/** The host side. */',
      'export function hostCommands(p: Plan): string {',
      "  return `link add ${p.veth} type veth`;",
      '}',
      'export const up = (dev: string): string => `link set ${dev} up`;',
      'export interface Plan { veth: string }',
      '// lab:05-networking end',
      '',
    ].join('\n');
    const { text } = stubRegions(src, 'runtime/network/veth.ts', () => true);
    expect(text).toContain('export function hostCommands(p: Plan): string {');
    expect(text).toContain('/** The host side. */');
    expect(text).toContain('export const up = (dev: string): string => {');
    expect(text).toContain('export interface Plan { veth: string }');
    expect(text.match(/throw new LabNotImplementedError\('05-networking'\);/g)).toHaveLength(2);
    expect(text).not.toContain('type veth`');
    expect(text).not.toContain('up`');
  });

  it('the import path is relative to the file', () => {
    expect(stubImport('runtime/lab-x.ts')).toBe("import { LabNotImplementedError } from './lab-stub.ts';");
    expect(stubImport('runtime/cgroups/v1.ts')).toBe("import { LabNotImplementedError } from '../lab-stub.ts';");
  });
});
