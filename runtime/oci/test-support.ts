/**
 * Driving bin/tiny-runc from tests as runtime-tools does, shared by the
 * tiny-runc test files: a private --root, bundles made with `tiny-runc spec`.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { expect } from 'vitest';
import { HOST_ROOTFS, ROOT } from '../../test/helpers.ts';
import type { OciConfig } from './config.ts';

export const TINY_RUNC = path.join(ROOT, 'bin', 'tiny-runc');

export interface RuncResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Everything runs under `root`; every directory made is pushed on `dirs` for the caller's afterAll. */
export function runcKit(root: string, dirs: string[]) {
  /**
   * tiny-runc with its stdout/stderr in files, as runtime-tools runs it: the
   * container inherits them (as with runc), so pipes would stay open, and
   * spawnSync would wait, until the container exits.
   */
  function runc(args: string[], opts: { cwd?: string; out?: string } = {}): RuncResult {
    const out = opts.out ?? path.join(root, '.out');
    const err = path.join(root, '.err');
    const fds = [fs.openSync(out, 'w'), fs.openSync(err, 'w')] as const;
    const r = spawnSync(TINY_RUNC, ['--root', root, ...args], { cwd: opts.cwd, timeout: 60_000, stdio: ['ignore', fds[0], fds[1]] });
    fs.closeSync(fds[0]);
    fs.closeSync(fds[1]);
    return { code: r.status ?? 128, stdout: fs.readFileSync(out, 'utf8'), stderr: fs.readFileSync(err, 'utf8') };
  }

  function state(id: string): { status: string; pid: number; id: string; bundle: string } {
    const r = runc(['state', id]);
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout);
  }

  async function waitFor(id: string, status: string): Promise<void> {
    for (let i = 0; i < 200 && state(id).status !== status; i++) await new Promise((r) => setTimeout(r, 50));
    expect(state(id).status).toBe(status);
  }

  /** `tiny-runc spec`, then edit config.json as a user would (the root is the host rootfs, read-only). */
  function bundle(edit: (c: OciConfig) => void): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tdk-bundle-'));
    dirs.push(dir);
    expect(runc(['spec', '--bundle', dir]).code).toBe(0);
    const file = path.join(dir, 'config.json');
    const config = JSON.parse(fs.readFileSync(file, 'utf8')) as OciConfig;
    config.root = { path: HOST_ROOTFS, readonly: true };
    edit(config);
    fs.writeFileSync(file, JSON.stringify(config, null, 2));
    return dir;
  }

  return { runc, state, waitFor, bundle };
}
