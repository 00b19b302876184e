/**
 * Test sandbox around the limactl STAND-IN (lima/testing/limactl-standin):
 * a bin directory where `limactl` is the stand-in, its instance list, a log
 * of every call, and a temporary "guest disk". Nothing here is Lima; see
 * lima/README.md for what tests against it do and do not prove.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { BIN, ROOT } from '../../test/helpers.ts';

export const STANDIN = path.join(ROOT, 'lima', 'testing', 'limactl-standin');

export interface StandinInstance {
  name: string;
  status: string;
  arch: string;
  dir: string;
}

export interface Sandbox {
  dir: string;
  /** Guest-local disk (TINY_DOCKER_LIMA_GUEST_DIR): state and rootfs of routed runs. */
  guestDir: string;
  state: string;
  logFile: string;
  env: NodeJS.ProcessEnv;
  setInstances(list: StandinInstance[]): void;
  /** Calls the stand-in received, one per line. */
  calls(): string[];
  cleanup(): void;
}

export function sandbox(label: string): Sandbox {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `tdk-lima-${label}-`));
  const bin = path.join(dir, 'bin');
  fs.mkdirSync(bin);
  fs.symlinkSync(STANDIN, path.join(bin, 'limactl'));
  const guestDir = path.join(dir, 'guest');
  fs.mkdirSync(guestDir);
  const state = path.join(dir, 'instances.jsonl');
  const logFile = path.join(dir, 'calls.log');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: `${bin}:${process.env.PATH}`,
    FORCE_COLOR: '0',
    TINY_DOCKER_ROUTE: 'lima',
    TINY_DOCKER_LIMA_INSTANCE: 'tiny-docker',
    TINY_DOCKER_LIMA_GUEST_DIR: guestDir,
    TINY_DOCKER_LIMA_NODE: process.execPath, // the "guest's" node is this machine's
    LIMACTL_STANDIN_STATE: state,
    LIMACTL_STANDIN_LOG: logFile,
  };
  delete env.TINY_DOCKER_DEBUG;
  delete env.TINY_DOCKER_ROOT;
  return {
    dir,
    guestDir,
    state,
    logFile,
    env,
    setInstances(list) {
      fs.writeFileSync(state, list.map((i) => JSON.stringify({ name: i.name, status: i.status, arch: i.arch, dir: i.dir }) + '\n').join(''));
    },
    calls() {
      try {
        return fs.readFileSync(logFile, 'utf8').trim().split('\n').filter(Boolean);
      } catch {
        return [];
      }
    },
    cleanup() {
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const running = (arch = 'x86_64'): StandinInstance => ({ name: 'tiny-docker', status: 'Running', arch, dir: '/nonexistent/.lima/tiny-docker' });

export interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** tiny-docker (the real bundle) with routing on, through the stand-in. */
export function routed(sb: Sandbox, args: string[], opts: { input?: string; env?: NodeJS.ProcessEnv; cwd?: string } = {}): Result {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    input: opts.input ?? '',
    env: { ...sb.env, ...opts.env },
    cwd: opts.cwd ?? os.tmpdir(),
    timeout: 120_000,
  });
  return { code: r.status ?? 128, stdout: r.stdout, stderr: r.stderr };
}

/** The same, as a running process (for signals and external kills). */
export function routedAsync(sb: Sandbox, args: string[]): { child: ChildProcess; result: Promise<Result>; waitFor(text: string): Promise<void> } {
  const child = spawn(process.execPath, [BIN, ...args], { env: sb.env, cwd: os.tmpdir(), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const waiters: Array<{ text: string; resolve: () => void }> = [];
  child.stdout!.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
    for (const w of waiters) if (stdout.includes(w.text)) w.resolve();
  });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const result = new Promise<Result>((resolve) => child.on('close', (code) => resolve({ code: code ?? 128, stdout, stderr })));
  return {
    child,
    result,
    waitFor: (text) => (stdout.includes(text) ? Promise.resolve() : new Promise((resolve) => waiters.push({ text, resolve }))),
  };
}

/** Pids of the containers recorded under the guest's state root. */
export function containerPids(guestDir: string): number[] {
  const dir = path.join(guestDir, 'containers');
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .map((id) => {
      try {
        return (JSON.parse(fs.readFileSync(path.join(dir, id, 'state.json'), 'utf8')) as { pid: number | null }).pid;
      } catch {
        return null;
      }
    })
    .filter((p): p is number => typeof p === 'number');
}
