/**
 * A small Docker-style flag parser: `--name web`, `--name=web`, `-e A=1`,
 * combined short booleans `-it`, repeated list flags (`-e`, `-p`), and
 * parsing that stops at the first positional (the command), so
 * `run /bin/sh -c 'x'` leaves `-c` to the container.
 */
import { ConfigError } from '../errors.ts';

export interface FlagSpec {
  name: string;
  short?: string;
  type: 'bool' | 'string' | 'list';
  help: string;
  /** Placeholder in help, e.g. SIZE. */
  value?: string;
}

export type ParsedFlags = Record<string, string | boolean | string[] | undefined>;

export interface Parsed {
  flags: ParsedFlags;
  positionals: string[];
}

export function parseArgs(command: string, argv: readonly string[], specs: readonly FlagSpec[], opts: { stopAtPositional?: boolean } = {}): Parsed {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const byShort = new Map(specs.filter((s) => s.short).map((s) => [s.short!, s]));
  const flags: ParsedFlags = {};
  const positionals: string[] = [];
  const unknown = (flag: string) =>
    new ConfigError(`unknown flag: ${flag}`, { hint: `see 'tiny-docker ${command} --help'` });

  const set = (spec: FlagSpec, value: string | true) => {
    if (spec.type === 'list') ((flags[spec.name] as string[] | undefined) ?? (flags[spec.name] = [])).push(String(value));
    else flags[spec.name] = value;
  };

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg.startsWith('--') && arg.length > 2) {
      const eq = arg.indexOf('=');
      const name = arg.slice(2, eq === -1 ? undefined : eq);
      const spec = byName.get(name);
      if (!spec) throw unknown(`--${name}`);
      if (spec.type === 'bool') {
        if (eq !== -1) {
          const v = arg.slice(eq + 1);
          if (v !== 'true' && v !== 'false') throw new ConfigError(`invalid value ${JSON.stringify(v)} for --${name}: expected true or false`);
          flags[name] = v === 'true';
        } else flags[name] = true;
        continue;
      }
      const value = eq !== -1 ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined) throw new ConfigError(`flag needs an argument: --${name}`, { hint: `e.g. --${name} ${spec.value ?? 'VALUE'}` });
      set(spec, value);
      continue;
    }
    if (arg.startsWith('-') && arg.length > 1) {
      // -it, -e A=1, -eA=1, -p8080:80
      for (let j = 1; j < arg.length; j++) {
        const spec = byShort.get(arg[j]!);
        if (!spec) throw unknown(`-${arg[j]}`);
        if (spec.type === 'bool') {
          flags[spec.name] = true;
          continue;
        }
        const rest = arg.slice(j + 1);
        const value = rest ? rest.replace(/^=/, '') : argv[++i];
        if (value === undefined) throw new ConfigError(`flag needs an argument: -${spec.short}`, { hint: `e.g. -${spec.short} ${spec.value ?? 'VALUE'}` });
        set(spec, value);
        break;
      }
      continue;
    }
    positionals.push(arg);
    if (opts.stopAtPositional) {
      positionals.push(...argv.slice(i + 1));
      break;
    }
  }
  return { flags, positionals };
}

export function helpText(usage: string, summary: string, specs: readonly FlagSpec[]): string {
  const rows = specs.map((s) => {
    const left = `${s.short ? `-${s.short}, ` : '    '}--${s.name}${s.type === 'bool' ? '' : ` ${s.value ?? 'VALUE'}`}`;
    return `  ${left.padEnd(30)} ${s.help}`;
  });
  return `Usage: ${usage}\n\n${summary}\n\nOptions:\n${rows.join('\n')}\n`;
}

export const str = (f: ParsedFlags, name: string): string | undefined => f[name] as string | undefined;
export const list = (f: ParsedFlags, name: string): string[] => (f[name] as string[] | undefined) ?? [];
export const bool = (f: ParsedFlags, name: string): boolean => f[name] === true;
