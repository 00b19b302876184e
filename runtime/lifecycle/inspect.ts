/**
 * `inspect`: a container as JSON, shaped like `docker inspect` so the same
 * habits (and jq filters such as .[0].State.Pid) work.
 */
import type { Store } from '../store.ts';
import { observe } from './status.ts';

export function inspectContainer(store: Store, id: string): Record<string, unknown> {
  const state = store.read(id);
  const o = observe(store, state);
  const s = o.state;
  return {
    Id: s.id,
    Name: s.name,
    Created: s.createdAt,
    Path: s.command[0],
    Args: s.command.slice(1),
    State: {
      Status: o.status,
      Running: o.running,
      Pid: o.running ? s.pid : 0,
      ExitCode: o.exitCode,
      OOMKilled: s.oomKilled,
      Dead: o.status === 'dead',
      StartedAt: s.startedAt,
      FinishedAt: o.finishedAt,
      ...(s.error ? { Error: s.error } : {}),
    },
    Config: {
      Hostname: s.hostname,
      Env: s.spec.env,
      Cmd: s.command,
      WorkingDir: s.spec.workdir,
      Rootfs: s.rootfs,
      RootfsMode: s.rootfsMode,
      ReadOnly: s.spec.readOnly,
      Isolation: s.spec.isolation,
      Namespaces: s.spec.namespaces,
      AutoRemove: s.autoRemove,
      Detached: s.detached,
      Features: s.spec.features,
    },
    Monitor: s.monitorPid ? { Pid: s.monitorPid, Running: o.monitorAlive } : null,
    StateDir: store.dir(s.id),
    LogPath: s.detached ? `${store.dir(s.id)}/container.log` : null,
    Facts: s.facts,
  };
}
