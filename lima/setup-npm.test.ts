/**
 * The guest-local Linux node_modules, against the limactl STAND-IN: the
 * stand-in hides <project>/node_modules from its "guest" (an empty tmpfs in
 * a private mount namespace, as a Mac's darwin-only node_modules would look
 * to a Linux guest), so `setup lima` must run `npm ci` on the guest disk and
 * bind-mount the result over it, and the router must re-make that mount for
 * every later command (each stand-in call is a fresh namespace, as after a
 * VM restart). The npm cache is used (--prefer-offline).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOST_ROOTFS, ROOT, mountCount, stateEntries } from '../test/helpers.ts';
import { routed, running, sandbox, type Sandbox } from './testing/standin.ts';

let sb: Sandbox;
let mountsBefore: number;
const INSTANCE = `td-npm-${process.pid}`;

beforeAll(() => {
  sb = sandbox('npm-setup');
  sb.env.TINY_DOCKER_LIMA_INSTANCE = INSTANCE;
  sb.env.LIMACTL_STANDIN_HIDE = path.join(ROOT, 'node_modules');
  sb.setInstances([{ ...running(), name: INSTANCE }]);
  mountsBefore = mountCount();
});

afterAll(() => {
  try {
    fs.rmSync(path.join(ROOT, '.tiny-docker', 'lima', `${INSTANCE}.yaml`), { force: true });
    expect(stateEntries(sb.guestDir)).toEqual([]);
    expect(mountCount()).toBe(mountsBefore); // every mount stayed in the stand-in's private namespaces
  } finally {
    sb.cleanup(); // even when a leak check above fails
  }
});

describe('setup lima with a guest that cannot use the host node_modules (limactl stand-in)', () => {
  it('installs a guest-local node_modules with npm ci and bind-mounts it, so a container runs', () => {
    const r = routed(sb, ['setup', 'lima'], { cwd: ROOT });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/built node_modules \(installed, @koromix\/koffi-linux-x64\)/);
    expect(fs.existsSync(path.join(sb.guestDir, 'npm', 'node_modules', '@koromix', 'koffi-linux-x64'))).toBe(true);
    expect(fs.readFileSync(path.join(sb.guestDir, 'npm', '.lock-sha256'), 'utf8')).toMatch(/^[0-9a-f]{64} /);
    expect(r.stderr).toMatch(/hello from [0-9a-f]{12} in Lima/);
  }, 300_000);

  it('a later routed command re-mounts it by itself, and a second setup reinstalls nothing', () => {
    const run = routed(sb, ['run', '--rm', '--rootfs', HOST_ROOTFS, '/bin/echo', 'still works']);
    expect(run.stdout).toBe('still works\n');
    expect(run.code).toBe(0);
    const again = routed(sb, ['setup', 'lima'], { cwd: ROOT });
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/kept node_modules \((current|mounted), @koromix\/koffi-linux-x64\)/);
    expect(again.stdout).toMatch(/nothing to change/);
  }, 300_000);
});
