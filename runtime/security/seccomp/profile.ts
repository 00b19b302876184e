/**
 * Seccomp profiles in Docker's JSON format (`docker run --security-opt
 * seccomp=PATH.json` takes the same files):
 *
 *   { "defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 1,
 *     "architectures": ["SCMP_ARCH_X86_64"],
 *     "syscalls": [ { "names": ["clone"], "action": "SCMP_ACT_ALLOW",
 *                     "args": [{ "index": 0, "value": 2114060288, "valueTwo": 0, "op": "SCMP_CMP_MASKED_EQ" }],
 *                     "includes": { "caps": [...], "arches": [...], "minKernel": "4.8" },
 *                     "excludes": { ... } } ] }
 *
 * parseProfile() only checks the shape (pure); compile.ts turns a profile into BPF.
 */
import { ConfigError } from '../../errors.ts';

export const ACTIONS = ['SCMP_ACT_ALLOW', 'SCMP_ACT_ERRNO', 'SCMP_ACT_KILL', 'SCMP_ACT_KILL_THREAD', 'SCMP_ACT_KILL_PROCESS', 'SCMP_ACT_TRAP', 'SCMP_ACT_LOG'] as const;
export type Action = (typeof ACTIONS)[number];

export const OPS = ['SCMP_CMP_NE', 'SCMP_CMP_LT', 'SCMP_CMP_LE', 'SCMP_CMP_EQ', 'SCMP_CMP_GE', 'SCMP_CMP_GT', 'SCMP_CMP_MASKED_EQ'] as const;
export type CompareOp = (typeof OPS)[number];

export interface ArgCondition {
  /** Which syscall argument, 0..5. */
  index: number;
  /** The value to compare with; for MASKED_EQ the mask. */
  value: number;
  /** For MASKED_EQ: (arg & value) must equal valueTwo. */
  valueTwo?: number;
  op: CompareOp;
}

export interface Filter {
  caps?: string[];
  arches?: string[];
  minKernel?: string;
}

export interface SyscallRule {
  names: string[];
  action: Action;
  errnoRet?: number;
  /** All must hold (AND). Several rules for one syscall are tried in order (OR). */
  args?: ArgCondition[] | null;
  includes?: Filter;
  excludes?: Filter;
  comment?: string;
}

export interface SeccompProfile {
  defaultAction: Action;
  defaultErrnoRet?: number;
  architectures?: string[];
  syscalls: SyscallRule[];
}

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string');

/** Parse and check a profile's text. `source` names it in errors (a path). */
export function parseProfile(text: string, source: string): SeccompProfile {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`seccomp profile ${source} is not valid JSON: ${(err as Error).message}`);
  }
  return checkProfile(raw, source);
}

/** Check an already-parsed profile's shape. */
export function checkProfile(raw: unknown, source: string): SeccompProfile {
  const bad = (what: string) => new ConfigError(`seccomp profile ${source}: ${what}`);
  if (!isObj(raw)) throw bad('expected a JSON object');
  const defaultAction = checkAction(raw.defaultAction, 'defaultAction', bad);
  const defaultErrnoRet = checkErrno(raw.defaultErrnoRet, 'defaultErrnoRet', bad);
  if (raw.architectures !== undefined && raw.architectures !== null && !isStrings(raw.architectures)) throw bad('architectures must be a list of names');
  const list = raw.syscalls ?? [];
  if (!Array.isArray(list)) throw bad('syscalls must be a list');
  const syscalls = list.map((r: unknown, i: number): SyscallRule => {
    const where = `syscalls[${i}]`;
    if (!isObj(r)) throw bad(`${where} must be an object`);
    // Old Docker profiles used "name": "read" instead of "names": ["read"].
    const names = typeof r.name === 'string' ? [r.name] : r.names;
    if (!isStrings(names) || names.length === 0) throw bad(`${where} needs "names", a list of syscall names`);
    const rule: SyscallRule = { names, action: checkAction(r.action, `${where}.action`, bad) };
    const errnoRet = checkErrno(r.errnoRet, `${where}.errnoRet`, bad);
    if (errnoRet !== undefined) rule.errnoRet = errnoRet;
    if (r.args !== undefined && r.args !== null) {
      if (!Array.isArray(r.args)) throw bad(`${where}.args must be a list`);
      rule.args = r.args.map((a: unknown, j: number) => checkArg(a, `${where}.args[${j}]`, bad));
    }
    for (const k of ['includes', 'excludes'] as const) {
      const f = r[k];
      if (f === undefined || f === null) continue;
      if (!isObj(f)) throw bad(`${where}.${k} must be an object`);
      if (f.caps !== undefined && f.caps !== null && !isStrings(f.caps)) throw bad(`${where}.${k}.caps must be a list of names`);
      if (f.arches !== undefined && f.arches !== null && !isStrings(f.arches)) throw bad(`${where}.${k}.arches must be a list of names`);
      if (f.minKernel !== undefined && f.minKernel !== null && (typeof f.minKernel !== 'string' || !/^\d+\.\d+/.test(f.minKernel))) {
        throw bad(`${where}.${k}.minKernel must look like "4.8"`);
      }
      rule[k] = f as Filter;
    }
    return rule;
  });
  const profile: SeccompProfile = { defaultAction, syscalls };
  if (defaultErrnoRet !== undefined) profile.defaultErrnoRet = defaultErrnoRet;
  if (isStrings(raw.architectures)) profile.architectures = raw.architectures;
  return profile;
}

function checkAction(v: unknown, where: string, bad: (w: string) => ConfigError): Action {
  if (typeof v === 'string' && (ACTIONS as readonly string[]).includes(v)) return v as Action;
  // SCMP_ACT_TRACE and SCMP_ACT_NOTIFY need a tracer or a listener we do not have.
  throw bad(`${where}: unsupported action ${JSON.stringify(v)} (use one of ${ACTIONS.join(', ')})`);
}

function checkErrno(v: unknown, where: string, bad: (w: string) => ConfigError): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 4095) return v;
  throw bad(`${where} must be an errno number between 0 and 4095, got ${JSON.stringify(v)}`);
}

function checkArg(a: unknown, where: string, bad: (w: string) => ConfigError): ArgCondition {
  if (!isObj(a)) throw bad(`${where} must be an object`);
  if (typeof a.index !== 'number' || !Number.isInteger(a.index) || a.index < 0 || a.index > 5) throw bad(`${where}.index must be 0..5`);
  if (typeof a.op !== 'string' || !(OPS as readonly string[]).includes(a.op)) throw bad(`${where}.op must be one of ${OPS.join(', ')}`);
  // JSON numbers above 2^53 lose bits silently: refuse them rather than compare the wrong value.
  const u64 = (v: unknown, k: string): number => {
    if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return v;
    throw bad(`${where}.${k} must be a non-negative integer below 2^53, got ${JSON.stringify(v)}`);
  };
  const cond: ArgCondition = { index: a.index, op: a.op as CompareOp, value: u64(a.value, 'value') };
  if (a.valueTwo !== undefined && a.valueTwo !== null) cond.valueTwo = u64(a.valueTwo, 'valueTwo');
  return cond;
}
