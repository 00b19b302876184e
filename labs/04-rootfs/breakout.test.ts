/**
 * Lab 04's demo, checked: the classic chroot escape reaches the host's files
 * under --chroot --privileged, and finds nothing above / under the default
 * pivot_root with the default capabilities (CAP_SYS_CHROOT included).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, cli, mountCount, stateEntries, tempRoot } from '../../test/helpers.ts';
import { rootfsWithPrograms, type TestRootfs } from '../../test/security/fixture.ts';
import { imagesDir } from '../../runtime/paths.ts';

let fsx: TestRootfs;
let root: string;
let marker: string;

beforeAll(() => {
  fsx = rootfsWithPrograms({ breakout: 'labs/04-rootfs/breakout.c' });
  root = tempRoot('breakout');
  // A file on the host, outside every rootfs: seeing it means escaping.
  marker = path.join(root, 'HOST_MARKER');
  fs.writeFileSync(marker, `host secret ${process.pid}\n`);
});

afterAll(() => {
  fsx?.remove();
  fs.rmSync(root, { recursive: true, force: true });
});

describe('the chroot breakout (lab 04)', () => {
  it('escapes under --chroot --privileged and reads the host marker', () => {
    const before = mountCount();
    const r = cli(root, ['run', '--rm', '--rootfs', fsx.dir, '--chroot', '--privileged', '/usr/local/bin/breakout', marker]);
    expect(r.stdout).toContain(`ESCAPED: read the host's ${marker}: host secret ${process.pid}`);
    expect(r.code).toBe(0);
    expect(mountCount()).toBe(before);
    expect(stateEntries(root)).toEqual([]);
  });

  it('stays contained under the default pivot_root and capabilities', () => {
    const r = cli(root, ['run', '--rm', '--rootfs', fsx.dir, '/usr/local/bin/breakout', marker]);
    expect(r.stdout).toContain(`CONTAINED: ${marker} is not visible`);
    expect(r.code).toBe(1);
  });

  it('breakout.sh shows both outcomes and removes what it made', () => {
    const r = spawnSync(path.join(ROOT, 'labs/04-rootfs/breakout.sh'), {
      encoding: 'utf8',
      env: { ...process.env, TINY_DOCKER_IMAGES: imagesDir(), FORCE_COLOR: '0' },
      timeout: 120_000,
    });
    expect(r.status, r.stderr).toBe(0);
    const escaped = r.stdout.indexOf('ESCAPED:');
    const contained = r.stdout.indexOf('CONTAINED:');
    expect(escaped).toBeGreaterThan(-1);
    expect(contained).toBeGreaterThan(escaped);
    const work = /read the host's (\/tmp\/tdk-breakout-\w+)\//.exec(r.stdout)?.[1];
    expect(work && fs.existsSync(work)).toBe(false);
  });
});
