/**
 * The `tiny-docker` command as a user runs it: output, exit codes, signals,
 * and one-line errors that leave nothing behind.
 */
import { afterAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { BIN, cli, mountCount, stateEntries, tempRoot } from '../../test/helpers.ts';

const root = tempRoot('cli');
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('tiny-docker run', () => {
  it('prints hello from the container hostname as PID 1 (the quickstart)', () => {
    const r = cli(root, ['run', '--rm', '--hostname', 'quick', '/bin/sh', '-c', 'echo hello from $(hostname), pid $$']);
    expect(r).toMatchObject({ code: 0, stdout: 'hello from quick, pid 1\n', stderr: '' });
  });

  it('passes the exit code through', () => {
    expect(cli(root, ['run', '--rm', 'sh', '-c', 'exit 42']).code).toBe(42);
  });

  it('keeps stdout and stderr apart', () => {
    const r = cli(root, ['run', '--rm', 'sh', '-c', 'echo out; echo err >&2']);
    expect(r.stdout).toBe('out\n');
    expect(r.stderr).toBe('err\n');
  });

  it('-i passes stdin to the container', () => {
    const r = cli(root, ['run', '--rm', '-i', 'sh', '-c', 'tr a-z A-Z'], { input: 'shout\n' });
    expect(r.stdout).toBe('SHOUT\n');
  });

  it('without -i the container reads an empty stdin', () => {
    const r = cli(root, ['run', '--rm', 'sh', '-c', 'cat; echo done'], { input: 'ignored\n' });
    expect(r.stdout).toBe('done\n');
  });

  it('-e sets and -w changes the working directory', () => {
    const r = cli(root, ['run', '--rm', '-e', 'GREETING=hi', '-w', '/tmp', 'sh', '-c', 'echo $GREETING $(pwd)']);
    expect(r.stdout).toBe('hi /tmp\n');
  });

  it('a missing command exits 127 with Docker\'s message', () => {
    const r = cli(root, ['run', '--rm', 'nope']);
    expect(r.code).toBe(127);
    expect(r.stderr).toBe('tiny-docker: exec: "nope": executable file not found in $PATH\n');
  });

  it('a non-executable file exits 126', () => {
    const r = cli(root, ['run', '--rm', '/etc/passwd']);
    expect(r.code).toBe(126);
    expect(r.stderr).toContain('permission denied');
  });

  it('SIGTERM sent to tiny-docker run reaches a PID 1 that handles it', async () => {
    const child = spawn(BIN, ['--root', root, 'run', '--rm', 'sh', '-c', 'trap "echo got TERM; exit 3" TERM; echo ready; while :; do sleep 0.1; done'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    await new Promise<void>((resolve) =>
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('ready')) resolve();
      }),
    );
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(out).toContain('got TERM');
    expect(code).toBe(3);
  });

  it('a container without --rm stays as exited in the state root', () => {
    const before = new Set(stateEntries(root));
    expect(cli(root, ['run', '--name', 'kept', 'true']).code).toBe(0);
    const added = stateEntries(root).filter((e) => !before.has(e));
    expect(added).toHaveLength(1);
    const state = JSON.parse(fs.readFileSync(path.join(root, 'containers', added[0]!, 'state.json'), 'utf8'));
    expect(state.name).toBe('kept');
    expect(state.status).toBe('exited');
    expect(state.exitCode).toBe(0);
  });
});

describe('bad input: one line, exit 125, nothing left behind', () => {
  const file = path.join(os.tmpdir(), `tdk-not-a-dir-${process.pid}`);
  fs.writeFileSync(file, 'x');
  afterAll(() => fs.rmSync(file, { force: true }));
  const cases: [string, string[], RegExp][] = [
    ['a missing rootfs', ['run', '--rootfs', '/nonexistent/rootfs', 'true'], /rootfs \/nonexistent\/rootfs does not exist/],
    ['a rootfs that is /', ['run', '--rootfs', '/', 'true'], /cannot be \//],
    ['a file instead of a directory', ['run', '--rootfs', file, 'true'], /is not a directory/],
    ['an unknown flag', ['run', '--frobnicate', 'true'], /unknown flag: --frobnicate/],
    ['an empty command', ['run', '--rm'], /run needs a command/],
    ['a ../ name', ['run', '--name', '../escape', 'true'], /invalid container name/],
    ['an empty string command', ['run', ''], /no command given/],
    ['a bad rootfs mode', ['run', '--rootfs-mode', 'zip', 'true'], /invalid --rootfs-mode/],
  ];
  for (const [what, args, message] of cases) {
    it(`${what}`, () => {
      const mounts = mountCount();
      const entries = stateEntries(root).length;
      const r = cli(root, args);
      expect(r.code).toBe(125);
      const lines = r.stderr.trim().split('\n');
      expect(lines[0]).toMatch(message);
      expect(lines.length).toBeLessThanOrEqual(2); // the error, and maybe a hint
      expect(r.stdout).toBe('');
      expect(stateEntries(root).length).toBe(entries);
      expect(mountCount()).toBe(mounts);
    });
  }

  it('not root', () => {
    // Run the CLI as nobody (uid 65534) through spawn's uid/gid options.
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tdk-nobody-'));
    fs.chmodSync(tmp, 0o777);
    const res = spawnSync(process.execPath, [BIN, '--root', tmp, 'run', '--rootfs', '/tmp', 'true'], { uid: 65534, gid: 65534, encoding: 'utf8', env: { PATH: process.env.PATH, FORCE_COLOR: '0' } });
    fs.rmSync(tmp, { recursive: true, force: true });
    expect(res.status).toBe(125);
    expect(res.stderr).toMatch(/must run as root/);
  });

  it('a duplicate name', () => {
    expect(cli(root, ['run', '--name', 'dup', 'true']).code).toBe(0);
    const entries = stateEntries(root).length;
    const r = cli(root, ['run', '--name', 'dup', 'true']);
    expect(r.code).toBe(125);
    expect(r.stderr).toMatch(/the container name "dup" is already in use/);
    expect(stateEntries(root).length).toBe(entries);
  });
});

describe('tiny-docker basics', () => {
  it('--version is cheap and prints the version', () => {
    const r = cli(root, ['--version']);
    expect(r.stdout).toMatch(/^tiny-docker version \d+\.\d+\.\d+/);
  });

  it('an unknown command is one line and 125', () => {
    const r = cli(root, ['frob']);
    expect(r.code).toBe(125);
    expect(r.stderr.split('\n')[0]).toBe('tiny-docker: unknown command: frob');
  });

  it('doctor checks the machine and says what to fix', () => {
    const r = cli(root, ['doctor', '--json']);
    const report = JSON.parse(r.stdout);
    const names = report.checks.map((c: { name: string }) => c.name);
    expect(names).toEqual(expect.arrayContaining(['running as root', 'kernel namespaces', 'cgroups', 'overlayfs', 'rootfs prepared', 'iptables']));
    expect(report.checks.find((c: { name: string }) => c.name === 'cgroups').detail).toMatch(/v1|v2|hybrid/);
    expect(r.code).toBe(report.ok ? 0 : 1);
  });
});
