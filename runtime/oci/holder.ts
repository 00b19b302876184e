/**
 * The OCI create/start split.
 *
 * `create` must leave a container whose init is alive and *waiting*, and then
 * exit. tiny-init already waits for its program on fd 3 — but whoever holds
 * the other end of fd 3 must outlive `tiny-runc create`. That is the holder:
 *
 *   tiny-runc create ─spawn (setsid)─▶ holder (node … __holder)
 *     │ fd 3: spec JSON ─────────────▶ │ runContainer: window, spawn tiny-init,
 *     │                                │ cgroups…; then, before the go signal:
 *     │ ◀──────────── "ok PID" ────────┤ listen on <state dir>/start.sock
 *     exit 0                           │
 *   tiny-runc start ── "start" ───────▶│ send tiny-init its program (= go)
 *     ◀──────────────── "ok" ──────────┤ exec done: exit
 *                                       ▼
 *   tiny-init/the command is reparented to the nearest subreaper (or PID 1),
 *   which reaps it, exactly as runc's container after `runc start`. `state`
 *   sees the pid gone and says "stopped"; `delete` cleans up.
 *   Exception: a container without a mount namespace has its mounts on the
 *   host. Its holder stays its parent, and detaches them when it exits.
 *
 * If the init dies while waiting (`kill` of a created container), the holder
 * notices and exits too (detaching host mounts), leaving state.json for `delete`.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import { runContainer, type Container } from '../container.ts';
import { layoutFor } from '../rootfs/mounts.ts';
import { TinyDockerError, type ExitCode } from '../errors.ts';
import { featuresFor } from '../feature-registry.ts';
import type { Feature } from '../features.ts';
import type { ContainerSpec } from '../spec.ts';
import { isSameProcess, type Store } from '../store.ts';
import { detachHostMounts, ociFeature } from './feature.ts';
import { ociCgroupsFeature } from './cgroups.ts';
import { ociState } from './state.ts';
import type { OciFeatureConfig } from './feature-config.ts';
import { runHooks } from './hooks.ts';

export const HOLDER_FD = 3;
export const START_SOCKET = 'start.sock';

/**
 * Every feature for an OCI container: our cgroup, the registry's (network, …), then ours.
 * Not 'security': it applies Docker's defaults, while config.json says
 * exactly which capabilities, masks and seccomp rules to use (feature.ts).
 */
export function ociFeatures(spec: ContainerSpec): Feature[] {
  const oci = ociFeature(spec);
  const cgroups = ociCgroupsFeature(spec);
  // Our cgroup (exactly linux.cgroupsPath) replaces the cgroups feature's tiny-docker/<id>.
  const others = featuresFor(spec).filter((f) => f.name !== 'security' && f.name !== 'cgroups');
  return [...(cgroups ? [cgroups] : []), ...others, ...(oci ? [oci] : [])];
}

/** Read one "\n"-terminated line from a socket. */
export function readLine(sock: net.Socket): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const onData = (chunk: Buffer) => {
      buf += chunk.toString('utf8');
      const nl = buf.indexOf('\n');
      if (nl >= 0) {
        sock.off('data', onData);
        resolve(buf.slice(0, nl));
      }
    };
    sock.on('data', onData);
    sock.once('error', reject);
    sock.once('close', () => reject(new TinyDockerError('the holder process went away without an answer')));
  });
}

/** An "error CODE message" line back into a typed error. */
export function parseReply(line: string): { ok: true; value: string } | { ok: false; error: TinyDockerError } {
  if (line.startsWith('ok')) return { ok: true, value: line.slice(3) };
  const m = /^error (\d+) (.*)$/.exec(line);
  const code = (m ? Number(m[1]) : 125) as ExitCode;
  return { ok: false, error: new TinyDockerError(m ? m[2]! : `unexpected answer ${JSON.stringify(line)}`, { exitCode: code }) };
}

const errorLine = (err: unknown) => {
  const e = err instanceof TinyDockerError ? err : null;
  const msg = ((err as Error)?.message ?? String(err)).replace(/\s*\n\s*/g, ' ');
  return `error ${e?.exitCode ?? 125} ${msg}${e?.hint ? ` (${e.hint.replace(/\s*\n\s*/g, ' ')})` : ''}\n`;
};

/** `create`: start the holder, hand it the spec, return the container's pid once it waits. */
export async function spawnHolder(cli: { node: string; script: string }, rootDir: string, spec: ContainerSpec): Promise<number> {
  const child = spawn(cli.node, [cli.script, '--root', rootDir, '__holder'], {
    // The container's stdio is the caller's: runtime-tools reads the command's output from the file it gave us.
    stdio: ['inherit', 'inherit', 'inherit', 'pipe'],
    // Its own session: a Ctrl-C or hangup at the caller's terminal does not reach it.
    detached: true,
  });
  const sock = child.stdio[HOLDER_FD] as net.Socket;
  sock.write(JSON.stringify(spec) + '\n');
  let line: string;
  try {
    line = await readLine(sock);
  } catch {
    throw new TinyDockerError('the holder process died before the container was created');
  }
  sock.destroy();
  child.unref();
  const reply = parseReply(line);
  if (!reply.ok) throw reply.error;
  return Number(reply.value);
}

/** The holder process itself (`tiny-runc __holder`). Never returns normally: it exits. */
export async function runHolder(store: Store): Promise<never> {
  const report = new net.Socket({ fd: HOLDER_FD, readable: true, writable: true });
  const spec = JSON.parse(await readLine(report)) as ContainerSpec;
  let client: net.Socket | null = null;
  const rootfsPath = layoutFor(store.dir(spec.id), spec.rootfs).merged;
  let container: Container;
  try {
    container = await runContainer(spec, {
      store,
      features: ociFeatures(spec),
      stdio: ['inherit', 'inherit', 'inherit'],
      detached: true,
      beforeGo: async (pid) => {
        // The container exists, its command has not run: the create-time hooks.
        // A failure fails `create`, and runContainer tears everything down.
        const hooks = (spec.features.oci as OciFeatureConfig).hooks;
        if (hooks.createRuntime.length + hooks.prestart.length > 0) {
          const state = ociState(store.read(spec.id));
          runHooks('createRuntime', hooks.createRuntime, state);
          runHooks('prestart', hooks.prestart, state);
        }
        client = await waitForStart(store, spec, pid, report, () => detachHostMounts(spec, rootfsPath));
      },
    });
  } catch (err) {
    const line = errorLine(err);
    // Before the handshake the error belongs to `create`, after it to `start`.
    if (client) await send(client, line);
    else await send(report, line);
    process.exit(1);
  }
  await send(client!, 'ok\n');
  if (!spec.namespaces.mnt) {
    // Without a mount namespace the container's mounts are the host's, and
    // nobody may ever call `delete` (runtime-tools often does not). So stay
    // its parent until it exits, then detach them: nothing is left on the host.
    await container.wait();
    detachHostMounts(spec, rootfsPath);
  }
  process.exit(0);
}

function send(sock: net.Socket, line: string): Promise<void> {
  return new Promise((resolve) => sock.end(line, () => resolve()));
}

/** Report "created", then wait for `start` (or for the init to be killed meanwhile). */
async function waitForStart(store: Store, spec: ContainerSpec, pid: number, report: net.Socket, onDied: () => void): Promise<net.Socket> {
  const dir = store.dir(spec.id);
  // A relative socket path: the absolute one can exceed the 108 bytes of sun_path.
  process.chdir(dir);
  fs.rmSync(START_SOCKET, { force: true });
  const server = net.createServer();
  const started = new Promise<net.Socket>((resolve) => {
    server.on('connection', (conn) => {
      readLine(conn).then((l) => (l === 'start' ? resolve(conn) : conn.end('error 125 unknown request\n')), () => undefined);
    });
  });
  await new Promise<void>((resolve) => server.listen(START_SOCKET, resolve));
  await send(report, `ok ${pid}\n`);
  const st = store.read(spec.id);
  const watch = setInterval(() => {
    // Killed while created: nothing to start any more. state.json stays for
    // `delete`; host mounts (no mount namespace) go now, as after an exit.
    if (!isSameProcess(pid, st.pidStartTime)) {
      onDied();
      process.exit(0);
    }
  }, 100);
  const conn = await started;
  clearInterval(watch);
  server.close();
  fs.rmSync(START_SOCKET, { force: true });
  return conn;
}

/** `start`: ask the holder to send the go signal; resolves when the command was exec'd. */
export async function requestStart(store: Store, internalId: string): Promise<void> {
  const cwd = process.cwd();
  process.chdir(store.dir(internalId));
  const conn = net.connect(START_SOCKET);
  process.chdir(cwd);
  await new Promise<void>((resolve, reject) => {
    conn.once('connect', resolve);
    conn.once('error', (e) => reject(new TinyDockerError(`cannot reach the container's holder: ${e.message}`)));
  });
  conn.write('start\n');
  let line: string;
  try {
    line = await readLine(conn);
  } catch {
    throw new TinyDockerError('the holder went away while starting the container');
  }
  conn.destroy();
  const reply = parseReply(line);
  if (!reply.ok) throw reply.error;
}
