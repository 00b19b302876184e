import { afterAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { importTarball, unsafeEntry } from './import.ts';
import { cli, tempRoot } from '../test/helpers.ts';

const dir = tempRoot('import');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('importing a rootfs tarball', () => {
  it('refuses entries that escape the target', () => {
    expect(unsafeEntry('../etc/passwd', 'File')).toMatch(/escapes/);
    expect(unsafeEntry('/etc/passwd', 'File')).toMatch(/escapes/);
    expect(unsafeEntry('a/../../b', 'File')).toMatch(/escapes/);
    expect(unsafeEntry('bin/x', 'Link', '../../etc/shadow')).toMatch(/points outside/);
    expect(unsafeEntry('./bin/sh', 'SymbolicLink', '/bin/busybox')).toBeNull();
  });

  it('imports a docker-export-like tarball that run can use', async () => {
    const src = path.join(dir, 'src');
    fs.mkdirSync(path.join(src, 'bin'), { recursive: true });
    fs.copyFileSync('/bin/busybox', path.join(src, 'bin/busybox'));
    fs.symlinkSync('busybox', path.join(src, 'bin/sh'));
    const tarball = path.join(dir, 'rootfs.tar');
    execFileSync('tar', ['-C', src, '-cf', tarball, '.']);
    const images = path.join(dir, 'images');
    const r = cli(path.join(dir, 'state'), ['import', tarball, 'bb'], { env: { TINY_DOCKER_IMAGES: images } });
    expect(r.code).toBe(0);
    expect(fs.existsSync(path.join(images, 'bb/bin/busybox'))).toBe(true);
    const run = cli(path.join(dir, 'state'), ['run', '--rm', '--rootfs', 'bb', '/bin/sh', '-c', 'echo imported $$'], { env: { TINY_DOCKER_IMAGES: images } });
    expect(run.stdout).toBe('imported 1\n');
  });

  it('writes nothing when one entry is unsafe', async () => {
    const evil = path.join(dir, 'evil');
    fs.mkdirSync(evil, { recursive: true });
    fs.writeFileSync(path.join(evil, 'ok'), 'x');
    const tarball = path.join(dir, 'evil.tar');
    // --transform puts a ../ in front of the member name
    execFileSync('tar', ['-C', evil, '--transform', 's,^ok,../escaped,', '-cPf', tarball, 'ok']);
    const dest = path.join(dir, 'images', 'evil');
    await expect(importTarball(tarball, dest)).rejects.toThrow(/escapes the target/);
    expect(fs.existsSync(dest)).toBe(false);
    expect(fs.existsSync(path.join(dir, 'images', 'escaped'))).toBe(false);
  });
});
