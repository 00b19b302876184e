/**
 * Finding the labs: every labs/NN-name/ folder with a checks.ts, in order.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Lab } from './lab-api.ts';

/** The checkout the harness itself lives in (the instructor's, when grading). */
export const HARNESS_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const LABS_DIR = path.join(HARNESS_ROOT, 'labs');

export function labIds(dir = LABS_DIR): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && /^\d\d-[a-z0-9-]+$/.test(d.name) && fs.existsSync(path.join(dir, d.name, 'checks.ts')))
    .map((d) => d.name)
    .sort();
}

/** '3', '03', '03-cgroups' or 'cgroups' → '03-cgroups'. */
export function resolveLabId(arg: string, ids = labIds()): string | null {
  const a = arg.trim().toLowerCase();
  const exact = ids.find((id) => id === a);
  if (exact) return exact;
  if (/^\d{1,2}$/.test(a)) return ids.find((id) => id.startsWith(a.padStart(2, '0') + '-')) ?? null;
  return ids.find((id) => id.slice(3) === a) ?? null;
}

export async function loadLab(id: string, dir = LABS_DIR): Promise<Lab> {
  const mod = (await import(pathToFileURL(path.join(dir, id, 'checks.ts')).href)) as { default: Lab };
  if (mod.default.id !== id) throw new Error(`labs/${id}/checks.ts declares id ${mod.default.id}`);
  return mod.default;
}

export function nextLab(id: string, ids = labIds()): string | null {
  const i = ids.indexOf(id);
  return i >= 0 && i + 1 < ids.length ? ids[i + 1]! : null;
}
