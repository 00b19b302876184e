import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SyscallError } from './errors.ts';
import { posixSpawn, type SpawnedProcess } from './spawn.ts';

const exited = (c: SpawnedProcess) => new Promise<[number | null, NodeJS.Signals | null]>((r) => c.once('exit', (code, sig) => r([code, sig])));
const readAll = (s: NodeJS.ReadableStream | null) =>
  new Promise<string>((resolve) => {
    let text = '';
    s!.setEncoding('utf8');
    s!.on('data', (d: string) => (text += d));
    s!.on('end', () => resolve(text));
  });

describe('posixSpawn (vfork + exec through koffi)', () => {
  it('reports the exit code and the killing signal, as child_process does', async () => {
    const a = posixSpawn('/bin/sh', { argv0: 'sh', args: ['-c', 'exit 42'], stdio: ['ignore', 'ignore', 'ignore'] });
    expect(await exited(a)).toEqual([42, null]);
    expect(a.exitCode).toBe(42);
    const b = posixSpawn('/bin/sh', { argv0: 'sh', args: ['-c', 'kill -TERM $$'], stdio: ['ignore', 'ignore', 'ignore'] });
    expect(await exited(b)).toEqual([null, 'SIGTERM']);
    // After the reap its pid may be someone else's: kill() refuses.
    expect(b.kill('SIGKILL')).toBe(false);
  });

  it('pipes stdin, stdout and stderr, sets argv0, cwd and exactly the given env', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spawn-'));
    try {
      const c = posixSpawn('/bin/sh', {
        argv0: 'my-name',
        args: ['-c', 'read line; echo "$line $0 $(pwd) $FOO $(env | wc -l)"; echo oops >&2'],
        env: ['FOO=bar'],
        cwd: dir,
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      const out = readAll(c.stdout);
      const err = readAll(c.stderr);
      c.stdin!.end('hello\n');
      expect(await exited(c)).toEqual([0, null]);
      // sh adds PWD, SHLVL and _ to the environment it was given (FOO).
      expect((await out).trim()).toMatch(new RegExp(`^hello my-name ${dir} bar [1-4]$`));
      expect(await err).toBe('oops\n');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('gives a pipe at fd 3 as a two-way socket, and none of our ends leak into the child', async () => {
    const c = posixSpawn('/bin/sh', {
      argv0: 'sh',
      args: ['-c', 'read x <&3; echo "got $x" >&3; for f in /proc/self/fd/*; do printf "%s " "\${f##*/}"; readlink "$f"; done; true'],
      stdio: ['ignore', 'pipe', 'inherit', 'pipe'],
    });
    const handleFd = (s: unknown) => (s as { _handle: { fd: number } })._handle.fd;
    const ourPipe = fs.readlinkSync(`/proc/self/fd/${handleFd(c.stdout)}`); // pipe:[N], the same for both ends
    const ourSocket = fs.readlinkSync(`/proc/self/fd/${handleFd(c.stdio[3])}`); // socket:[M], our end only
    const out = readAll(c.stdout);
    const sock = c.stdio[3]!;
    const reply = readAll(sock);
    sock.write('ping\n');
    expect(await exited(c)).toEqual([0, null]);
    expect(await reply).toBe('got ping\n');
    const fds = new Map((await out).trim().split('\n').map((l) => l.split(' ') as [string, string]));
    // The stdout pipe reaches the child once (as fd 1), our socket end never:
    // fd 3 is the other end of the pair.
    expect([...fds].filter(([, t]) => t === ourPipe).map(([fd]) => fd)).toEqual(['1']);
    expect([...fds.values()]).not.toContain(ourSocket);
    expect(fds.get('3')).toMatch(/^socket:\[\d+\]$/);
  });

  it('starts the child with every signal at its default and none blocked (Node ignores SIGPIPE)', async () => {
    const c = posixSpawn('/bin/cat', { argv0: 'cat', args: ['/proc/self/status'], stdio: ['ignore', 'pipe', 'inherit'] });
    const status = await readAll(c.stdout);
    await exited(c);
    expect(status).toMatch(/^SigBlk:\s+0{16}$/m);
    expect(status).toMatch(/^SigIgn:\s+0{16}$/m);
  });

  it('throws a SyscallError for a missing program, and leaves no fd open', () => {
    const before = fs.readdirSync('/proc/self/fd').length;
    let err: unknown;
    try {
      posixSpawn('/no/such/program', { argv0: 'x', stdio: ['pipe', 'pipe', 'pipe', 'pipe'] });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SyscallError);
    expect((err as SyscallError).code).toBe('ENOENT');
    expect(fs.readdirSync('/proc/self/fd').length).toBe(before);
  });

  it('keeps a process alive while its child runs, then lets it exit', () => {
    // A separate Node process: the reaper must hold the event loop open for
    // the child (signal handlers do not), and let go once it is reaped.
    const script = `
      import { posixSpawn } from ${JSON.stringify(path.resolve('runtime/sys/spawn.ts'))};
      const c = posixSpawn('/bin/sleep', { argv0: 'sleep', args: ['0.3'], stdio: ['ignore', 'ignore', 'ignore'] });
      c.on('exit', (code) => console.log('exit', code));
    `;
    const t = Date.now();
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('exit 0\n');
    expect(r.status).toBe(0);
    expect(Date.now() - t).toBeGreaterThanOrEqual(300);
  });
});
