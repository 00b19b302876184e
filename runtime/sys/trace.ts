/**
 * The teaching trace hook. Every kernel call in runtime/sys/ reports here, so
 * `tiny-docker run --trace` can print each step with its flags and timing.
 *
 * When no tracer is installed the cost is one null check per call: the
 * description closures are only built when someone listens.
 */
export type TracePhase =
  | 'validate'
  | 'rootfs'
  | 'namespaces'
  | 'cgroups'
  | 'network'
  | 'init'
  | 'exec'
  | 'wait'
  | 'cleanup';

export interface TraceEvent {
  /** Milliseconds since the tracer started. */
  at: number;
  phase: TracePhase;
  /** What was called, e.g. `unshare(CLONE_NEWPID|CLONE_NEWUTS)`. */
  call: string;
  /** `= 0`, `= 4242` or `= -1 EPERM`. */
  result: string;
  durationMs: number;
  /** Which side did it: the runtime (parent) or tiny-init inside the container. */
  source: 'runtime' | 'init';
  ok: boolean;
  /** On failure: what to check next (from the error's hint or its errno). */
  hint?: string;
}

export interface Tracer {
  event(e: TraceEvent): void;
}

let tracer: Tracer | null = null;
let phase: TracePhase = 'validate';
let origin = 0;

export function setTracer(t: Tracer | null): void {
  tracer = t;
  origin = performance.now();
}

/**
 * Convert a CLOCK_MONOTONIC time in microseconds (what tiny-init reports) to
 * the trace's clock. performance.now() and process.hrtime() both count from
 * libuv's uv_hrtime(), which reads CLOCK_MONOTONIC, so the two differ only
 * by a constant that we measure here.
 */
export function monotonicToTrace(micros: number): number {
  const hrMs = Number(process.hrtime.bigint()) / 1e6;
  const offset = hrMs - performance.now();
  return micros / 1000 - offset - origin;
}

/** Milliseconds since the tracer started: the `at` of events measured by hand. */
export function traceClock(): number {
  return performance.now() - origin;
}

export function tracing(): boolean {
  return tracer !== null;
}

/** Mark the phase that the following calls belong to. */
export function setPhase(p: TracePhase): void {
  phase = p;
}

export function currentPhase(): TracePhase {
  return phase;
}

/** Record an event that was measured elsewhere (e.g. reported by tiny-init). */
export function emit(e: Omit<TraceEvent, 'at' | 'phase'> & { phase?: TracePhase; at?: number }): void {
  if (!tracer) return;
  tracer.event({ at: e.at ?? performance.now() - origin, phase: e.phase ?? phase, ...e } as TraceEvent);
}

/**
 * Run fn and, when tracing, report `describe()` with its result and time.
 * `describe` is a closure so that string building costs nothing when off.
 */
export function traced<T>(describe: () => string, fn: () => T, show: (r: T) => string = defaultShow): T {
  if (!tracer) return fn();
  const start = performance.now();
  const startPhase = phase;
  try {
    const r = fn();
    emit({ phase: startPhase, call: describe(), result: show(r), durationMs: performance.now() - start, source: 'runtime', ok: true, at: start - origin });
    return r;
  } catch (err) {
    emitFailure(describe, err, start, startPhase);
    throw err;
  }
}

/** The async twin of traced(), for helper programs and file I/O. */
export async function tracedAsync<T>(describe: () => string, fn: () => Promise<T>, show: (r: T) => string = defaultShow): Promise<T> {
  if (!tracer) return fn();
  const start = performance.now();
  // The phase when the step began: other steps may run (and change it) while this one awaits.
  const startPhase = phase;
  try {
    const r = await fn();
    emit({ phase: startPhase, call: describe(), result: show(r), durationMs: performance.now() - start, source: 'runtime', ok: true, at: start - origin });
    return r;
  } catch (err) {
    emitFailure(describe, err, start, startPhase);
    throw err;
  }
}

/**
 * A failed step: `= -1 EPERM` plus a hint. The hint is the error's own (a
 * TinyDockerError knows what to do next) or the errno's plain meaning.
 */
function emitFailure(describe: () => string, err: unknown, start: number, startPhase: TracePhase): void {
  const e = err as { code?: unknown; hint?: unknown; message?: string; name?: string };
  // EPERM for a failed syscall, else the error's kind (ConfigError, CommandError…).
  const code = typeof e.code === 'string' ? e.code : (e.name ?? 'Error');
  const hint = [e.message, typeof e.hint === 'string' ? e.hint : undefined].filter(Boolean).join(' — ') || undefined;
  emit({ phase: startPhase, call: describe(), result: `= -1 ${code}`, durationMs: performance.now() - start, source: 'runtime', ok: false, at: start - origin, ...(hint ? { hint } : {}) });
}

function defaultShow(r: unknown): string {
  return typeof r === 'number' ? `= ${r}` : '= 0';
}
