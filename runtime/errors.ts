/**
 * Typed errors of the runtime library. The CLI turns them into one line on
 * stderr and an exit code; the library itself never prints or exits.
 *
 * Exit codes follow Docker: 125 the runtime failed, 126 the command cannot be
 * run, 127 the command was not found; 1 for "no such container" and similar
 * client errors (as `docker rm nope` does).
 */
export type ExitCode = 1 | 125 | 126 | 127;

export class TinyDockerError extends Error {
  override name = 'TinyDockerError';
  /** What the user should do next, printed after the message. */
  readonly hint: string | undefined;
  readonly exitCode: ExitCode;
  constructor(message: string, opts: { exitCode?: ExitCode; hint?: string; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.exitCode = opts.exitCode ?? 125;
    this.hint = opts.hint;
  }
}

/** Bad flags or configuration: nothing was created. */
export class ConfigError extends TinyDockerError {
  override name = 'ConfigError';
}

/** The container command could not be started (exec failed inside tiny-init). */
export class ExecError extends TinyDockerError {
  override name = 'ExecError';
  constructor(message: string, exitCode: 126 | 127 | 125, readonly errno?: string) {
    super(message, { exitCode });
  }
}

/** No container matches, or the match is ambiguous. */
export class NotFoundError extends TinyDockerError {
  override name = 'NotFoundError';
  constructor(message: string, hint?: string) {
    super(message, { exitCode: 1, ...(hint ? { hint } : {}) });
  }
}

/** The container is in the wrong state for the request (rm of a running one…). */
export class StateError extends TinyDockerError {
  override name = 'StateError';
  constructor(message: string, hint?: string) {
    super(message, { exitCode: 1, ...(hint ? { hint } : {}) });
  }
}

/** Wrap a lower error with what we were trying to do, crun-style `outer: inner`. */
export function wrap(what: string, err: unknown, hint?: string): TinyDockerError {
  if (err instanceof TinyDockerError) return err;
  const msg = err instanceof Error ? err.message : String(err);
  return new TinyDockerError(`${what}: ${msg}`, { cause: err, ...(hint ? { hint } : {}) });
}
