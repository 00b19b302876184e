/**
 * The OCI state of a container (runtime-spec "state"): derived from the
 * store's state.json and what the kernel says about the recorded pid.
 *
 *   store status   pid alive?   OCI status
 *   created        no pid yet   creating
 *   created        yes          created   (tiny-init waits for `start`)
 *   running        yes          running
 *   anything else  no           stopped   (dead, zombie, or reused pid)
 */
import * as path from 'node:path';
import { NotFoundError } from '../errors.ts';
import { Store, isSameProcess, type ContainerState } from '../store.ts';
import type { OciFeatureConfig } from './feature-config.ts';
import { OCI_VERSION } from './config.ts';
import { internalId } from './translate.ts';

/** runc keeps state in /run/runc; we keep ours in /run/tiny-runc (tmpfs: gone after a reboot, as the containers are). */
export const DEFAULT_OCI_ROOT = '/run/tiny-runc';

export type OciStatus = 'creating' | 'created' | 'running' | 'stopped';

export interface OciState {
  ociVersion: string;
  id: string;
  status: OciStatus;
  pid?: number;
  bundle: string;
  annotations?: Record<string, string>;
}

export function ociStore(root: string | undefined): Store {
  return new Store(path.resolve(root ?? process.env.TINY_RUNC_ROOT ?? DEFAULT_OCI_ROOT));
}

/** The container's stored state; NotFoundError (exit 1) with runc's wording when there is none. */
export function loadState(store: Store, id: string): ContainerState {
  try {
    return store.read(internalId(id));
  } catch (err) {
    if (err instanceof NotFoundError) throw new NotFoundError(`container does not exist: ${id}`, 'list containers with ls /run/tiny-runc/containers or create one');
    throw err;
  }
}

export function ociStatus(s: ContainerState): OciStatus {
  if (s.status === 'created' && s.pid === null) return 'creating';
  const alive = isSameProcess(s.pid, s.pidStartTime);
  if (!alive) return 'stopped';
  return s.status === 'running' ? 'running' : s.status === 'created' ? 'created' : 'stopped';
}

export function ociState(s: ContainerState): OciState {
  const oci = s.spec.features.oci as OciFeatureConfig;
  const status = ociStatus(s);
  const out: OciState = { ociVersion: oci.ociVersion ?? OCI_VERSION, id: s.name, status, bundle: oci.bundle };
  // The spec: pid is REQUIRED when created or running; runc prints 0 once stopped.
  out.pid = status === 'created' || status === 'running' ? s.pid! : 0;
  if (Object.keys(oci.annotations).length > 0) out.annotations = oci.annotations;
  return out;
}
