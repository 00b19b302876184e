/**
 * lima/tiny-docker.yaml is a template with one placeholder: the project's
 * path, which differs per user. Rendering replaces the text (comments and
 * layout stay as written, so the user can read the result), and the yaml
 * package checks the outcome still parses.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import type { LimaConfig } from './config.ts';

export const PLACEHOLDER = 'TINY_DOCKER_PROJECT_DIR';

export interface LimaTemplate {
  minimumLimaVersion?: string;
  base?: string[];
  cpus?: number;
  memory?: string;
  disk?: string;
  mounts?: Array<{ location: string; mountPoint?: string; writable?: boolean }>;
  containerd?: { system?: boolean; user?: boolean };
  provision?: Array<{ mode: string; script?: string }>;
  probes?: Array<{ script: string }>;
}

export function templateSource(projectDir: string): string {
  return fs.readFileSync(path.join(projectDir, 'lima', 'tiny-docker.yaml'), 'utf8');
}

export function renderTemplate(text: string, projectDir: string): string {
  // A path is put in YAML as a double-quoted string (JSON's quoting is valid YAML).
  // Comment lines keep the placeholder (they explain it).
  const out = text
    .split('\n')
    .map((line) => (line.trimStart().startsWith('#') ? line : line.split(PLACEHOLDER).join(JSON.stringify(projectDir))))
    .join('\n');
  const doc = parse(out) as LimaTemplate;
  if (doc.mounts?.[0]?.location !== projectDir) throw new Error(`rendering the Lima template did not put ${projectDir} in mounts`);
  return out;
}

/** Where setup writes the rendered copy (git-ignored .tiny-docker/). */
export function renderedTemplatePath(cfg: LimaConfig): string {
  return path.join(cfg.projectDir, '.tiny-docker', 'lima', `${cfg.instance}.yaml`);
}

/** The template's system provisioning script, to re-run it on an older instance. */
export function provisionScript(projectDir: string): string {
  const doc = parse(templateSource(projectDir)) as LimaTemplate;
  const p = doc.provision?.find((x) => x.mode === 'system' && x.script);
  if (!p?.script) throw new Error('lima/tiny-docker.yaml has no system provisioning script');
  return p.script;
}
