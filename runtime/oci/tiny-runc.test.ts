/**
 * tiny-runc by hand, as a user would drive runc: spec, edit, create, state,
 * start, state, kill, delete. Real containers (root), a private --root, and
 * proof that delete leaves no state directory, mount or cgroup behind.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { mountCount, stateEntries, tempRoot } from '../../test/helpers.ts';
import type { OciConfig } from './config.ts';
import { runcKit } from './test-support.ts';

const root = tempRoot('oci');
const dirs: string[] = [root];
const { runc, state, waitFor, bundle } = runcKit(root, dirs);

/** Cgroup directories recorded in a container's facts (all must be gone after delete). */
function cgroupDirs(id: string): string[] {
  const stateDir = stateEntries(root).map((d) => path.join(root, 'containers', d)).find((d) => fs.readFileSync(path.join(d, 'state.json'), 'utf8').includes(`"name": "${id}"`));
  const facts = JSON.stringify(JSON.parse(fs.readFileSync(path.join(stateDir!, 'state.json'), 'utf8')).facts);
  return [...facts.matchAll(/"(\/sys\/fs\/cgroup\/[^"]+)"/g)].map((m) => m[1]!);
}

afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

describe('tiny-runc', () => {
  it('create leaves tiny-init waiting; start runs the command; delete removes everything', async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'tdk-out-'));
    dirs.push(out);
    const b = bundle((c) => {
      c.hostname = 'oci-test';
      c.process!.args = ['sh', '-c', 'echo started > /out/result; hostname >> /out/result'];
      c.mounts!.push({ destination: '/out', type: 'bind', source: out, options: ['rbind', 'rw'] });
    });
    const mountsBefore = mountCount();
    const pidFile = path.join(b, 'pid');

    const created = runc(['create', '--bundle', b, '--pid-file', pidFile, 'oci-1']);
    expect(created.code, created.stderr).toBe(0);
    const s = state('oci-1');
    expect(s).toMatchObject({ id: 'oci-1', status: 'created', bundle: b });
    expect(Number(fs.readFileSync(pidFile, 'utf8'))).toBe(s.pid);
    // The pid is tiny-init, blocked on its sync channel: the command has not run.
    expect(fs.readFileSync(`/proc/${s.pid}/comm`, 'utf8').trim()).toBe('tiny-init');
    expect(fs.existsSync(path.join(out, 'result'))).toBe(false);
    const cgroups = cgroupDirs('oci-1');
    expect(cgroups.length).toBeGreaterThan(0);
    for (const d of cgroups) expect(fs.existsSync(d)).toBe(true);

    const started = runc(['start', 'oci-1']);
    expect(started.code, started.stderr).toBe(0);
    await waitFor('oci-1', 'stopped');
    expect(fs.readFileSync(path.join(out, 'result'), 'utf8')).toBe('started\noci-test\n');
    // start twice: the container is no longer "created"
    expect(runc(['start', 'oci-1']).stderr).toMatch(/it is stopped, not created/);

    const deleted = runc(['delete', 'oci-1']);
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(stateEntries(root)).toEqual([]);
    expect(mountCount()).toBe(mountsBefore);
    for (const d of cgroups) expect(fs.existsSync(d)).toBe(false);
    const gone = runc(['state', 'oci-1']);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/container does not exist: oci-1/);
  }, 60_000);

  it('kill stops a running container; delete refuses a running one without --force', async () => {
    const b = bundle((c) => {
      c.process!.args = ['sleep', '1000'];
    });
    expect(runc(['create', '--bundle', b, 'oci-2']).code).toBe(0);
    expect(runc(['start', 'oci-2']).code).toBe(0);
    const s = state('oci-2');
    expect(s.status).toBe('running');
    expect(fs.readFileSync(`/proc/${s.pid}/comm`, 'utf8').trim()).toBe('sleep');

    const refused = runc(['delete', 'oci-2']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/cannot delete container oci-2: it is running/);
    expect(state('oci-2').status).toBe('running');

    expect(runc(['kill', 'oci-2', 'KILL']).code).toBe(0);
    await waitFor('oci-2', 'stopped');
    expect(runc(['delete', 'oci-2']).code).toBe(0);
    expect(stateEntries(root)).toEqual([]);
  }, 60_000);

  it('delete refuses a created container; delete --force removes it and its waiting init', async () => {
    const b = bundle(() => undefined);
    expect(runc(['create', '--bundle', b, 'oci-3']).code).toBe(0);
    const pid = state('oci-3').pid;
    const refused = runc(['delete', 'oci-3']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/cannot delete container oci-3: it is created/);
    expect(state('oci-3').status).toBe('created');
    expect(runc(['delete', '--force', 'oci-3']).code).toBe(0);
    expect(fs.existsSync(`/proc/${pid}`)).toBe(false);
    expect(stateEntries(root)).toEqual([]);
  }, 60_000);

  it('runs prestart hooks with the state on stdin; a failing one fails create and leaves nothing', async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'tdk-hook-'));
    dirs.push(out);
    const b = bundle((c) => {
      c.process!.args = ['true'];
      c.hooks = { prestart: [{ path: '/bin/sh', args: ['sh', '-c', `cat > ${out}/prestart`] }], poststop: [{ path: '/bin/sh', args: ['sh', '-c', `cat > ${out}/poststop`] }] };
    });
    expect(runc(['create', '--bundle', b, 'oci-5']).code).toBe(0);
    const seen = JSON.parse(fs.readFileSync(path.join(out, 'prestart'), 'utf8'));
    expect(seen).toMatchObject({ id: 'oci-5', status: 'created', pid: state('oci-5').pid, bundle: b });
    expect(runc(['start', 'oci-5']).code).toBe(0);
    await waitFor('oci-5', 'stopped');
    expect(runc(['delete', 'oci-5']).code).toBe(0);
    expect(JSON.parse(fs.readFileSync(path.join(out, 'poststop'), 'utf8'))).toMatchObject({ id: 'oci-5', status: 'stopped' });

    const failing = bundle((c) => (c.hooks = { prestart: [{ path: '/bin/false' }] }));
    const r = runc(['create', '--bundle', failing, 'oci-6']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/prestart hook \/bin\/false failed: exit code 1/);
    expect(stateEntries(root)).toEqual([]);
  }, 60_000);

  it('refuses an unsupported field with one clear line and leaves nothing behind', () => {
    const b = bundle((c) => c.linux!.namespaces!.push({ type: 'time' }));
    const r = runc(['create', '--bundle', b, 'oci-4']);
    expect(r.code).toBe(125);
    expect(r.stderr).toMatch(/^tiny-runc: time namespaces are not supported by tiny-runc$/m);
    expect(stateEntries(root)).toEqual([]);
  });

  it('spec writes a config.json that create accepts, and refuses to overwrite it', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tdk-spec-'));
    dirs.push(dir);
    expect(runc(['spec'], { cwd: dir }).code).toBe(0);
    const config = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')) as OciConfig;
    expect(config.process!.args).toEqual(['sh']);
    expect(config.root).toEqual({ path: 'rootfs', readonly: true });
    const again = runc(['spec'], { cwd: dir });
    expect(again.code).toBe(125);
    expect(again.stderr).toMatch(/exists/);
  });
});
