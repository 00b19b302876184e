/**
 * lima/tiny-docker.yaml: it parses, and it says what the Mac path needs.
 * (Lima itself never reads it here; see lima/README.md.)
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ROOT } from '../test/helpers.ts';
import { PLACEHOLDER, provisionScript, renderTemplate, templateSource, type LimaTemplate } from './template.ts';

const raw = templateSource(ROOT);
const doc = parse(raw) as LimaTemplate;
const script = provisionScript(ROOT);

describe('the Lima template (lima/tiny-docker.yaml)', () => {
  it('parses as YAML and builds on Lima\'s own Ubuntu LTS template, with a minimum Lima version', () => {
    expect(doc.base).toEqual(['template:_images/ubuntu-lts']);
    expect(doc.minimumLimaVersion).toMatch(/^2\.\d+\.\d+$/);
    expect(JSON.stringify(doc)).not.toMatch(/cloud-images|digest/); // no hand-kept image URLs
  });

  it('is sized for the labs', () => {
    expect(doc.cpus).toBeGreaterThanOrEqual(2);
    expect(doc.memory).toMatch(/^\d+GiB$/);
    expect(parseInt(doc.disk!, 10)).toBeGreaterThanOrEqual(10);
  });

  it('mounts the project writable at the same path once rendered with the real path', () => {
    const rendered = parse(renderTemplate(raw, '/Users/ada/src/tiny docker')) as LimaTemplate;
    expect(rendered.mounts).toEqual([{ location: '/Users/ada/src/tiny docker', mountPoint: '/Users/ada/src/tiny docker', writable: true }]);
    expect(renderTemplate(raw, '/x')).toContain(`# By hand:  sed "s#${PLACEHOLDER}#`); // comments keep explaining the placeholder
  });

  it('turns containerd off (system and user)', () => {
    expect(doc.containerd).toEqual({ system: false, user: false });
  });

  it('provisions as root: Node >= 20 from the official tarball checked against SHASUMS256, and the runtime\'s tools', () => {
    expect(doc.provision?.[0]?.mode).toBe('system');
    expect(script).toMatch(/https:\/\/nodejs\.org\/dist\/latest-v2\d\.x/);
    expect(script).toMatch(/SHASUMS256\.txt/);
    expect(script).toMatch(/sha256sum -c/);
    expect(script).toMatch(/aarch64\) arch=arm64/);
    expect(script).toMatch(/x86_64\)\s+arch=x64/);
    const pkgs = /^\s*pkgs="([^"]+)"/m.exec(script)?.[1]?.split(' ') ?? [];
    for (const pkg of ['gcc', 'libc6-dev', 'iproute2', 'iptables', 'busybox-static']) expect(pkgs).toContain(pkg);
    expect(script).toMatch(/apt-get install -y -q --no-install-recommends \$missing/);
  });

  it('has a provisioning script and a readiness probe that bash accepts (bash -n)', () => {
    for (const s of [script, doc.probes![0]!.script]) {
      const r = spawnSync('bash', ['-n'], { input: s, encoding: 'utf8' });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
    }
  });
});
