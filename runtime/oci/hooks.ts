/**
 * OCI hooks: programs the runtime runs at fixed points of the lifecycle,
 * in the runtime's namespaces, with the container's state JSON on stdin.
 *
 *   prestart, createRuntime   during create, once the container exists but
 *                             before its command runs; a failure fails create
 *   poststart                 after start; a failure is a warning
 *   poststop                  after delete; a failure is a warning
 *
 * createContainer and startContainer must run *inside* the container's
 * namespaces: tiny-runc does not run them (translate.ts warns).
 */
import { spawnSync } from 'node:child_process';
import { TinyDockerError } from '../errors.ts';
import type { OciHook } from './config.ts';
import type { OciState } from './state.ts';

export type HookPhase = 'prestart' | 'createRuntime' | 'poststart' | 'poststop';

export interface OciHooks {
  prestart: OciHook[];
  createRuntime: OciHook[];
  poststart: OciHook[];
  poststop: OciHook[];
}

/** Run the hooks of one phase in order; throws on the first failure. */
export function runHooks(phase: HookPhase, hooks: readonly OciHook[], state: OciState): void {
  for (const h of hooks) {
    const [argv0, ...args] = h.args && h.args.length > 0 ? h.args : [h.path];
    const env = Object.fromEntries((h.env ?? []).map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]));
    const r = spawnSync(h.path, args, {
      argv0,
      env,
      input: JSON.stringify(state),
      stdio: ['pipe', 'ignore', 'pipe'],
      timeout: h.timeout ? h.timeout * 1000 : undefined,
      encoding: 'utf8',
    });
    if (r.error || r.status !== 0) {
      const why = r.error ? r.error.message : r.signal ? `killed by ${r.signal}` : `exit code ${r.status}`;
      const tail = (r.stderr ?? '').trim().split('\n').slice(-1)[0];
      throw new TinyDockerError(`${phase} hook ${h.path} failed: ${why}${tail ? `: ${tail}` : ''}`, { exitCode: 1 });
    }
  }
}
