/**
 * Flag parsing for tiny-runc, in runc's style: `--bundle DIR`, `--bundle=DIR`,
 * `-b DIR`, single-dash long flags (`-bundle`, as urfave/cli accepts), and
 * positionals anywhere. Pure.
 */
import { ConfigError } from '../../errors.ts';

export interface OciFlag {
  name: string;
  short?: string;
  takesValue: boolean;
  help: string;
}

export function parseOciArgs(command: string, argv: readonly string[], specs: readonly OciFlag[]): { flags: Record<string, string | true>; positionals: string[] } {
  const flags: Record<string, string | true> = {};
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    const body = arg.replace(/^--?/, '');
    const eq = body.indexOf('=');
    const name = eq === -1 ? body : body.slice(0, eq);
    const spec = specs.find((s) => s.name === name || s.short === name);
    if (!spec) throw new ConfigError(`unknown flag for ${command}: ${arg}`, { hint: `see 'tiny-runc ${command} --help'` });
    if (!spec.takesValue) {
      flags[spec.name] = true;
      continue;
    }
    const value = eq !== -1 ? body.slice(eq + 1) : argv[++i];
    if (value === undefined) throw new ConfigError(`flag needs an argument: --${spec.name}`);
    flags[spec.name] = value;
  }
  return { flags, positionals };
}

export function usageOf(command: string, synopsis: string, specs: readonly OciFlag[]): string {
  const rows = specs.map((s) => `  ${(s.short ? `-${s.short}, ` : '    ') + `--${s.name}${s.takesValue ? ' VALUE' : ''}`.padEnd(28)} ${s.help}`);
  return [`Usage: tiny-runc ${command} ${synopsis}`, '', ...(rows.length ? ['Options:', ...rows, ''] : [])].join('\n') + '\n';
}

/** Exactly one container id. */
export function oneId(command: string, positionals: string[]): string {
  if (positionals.length !== 1) throw new ConfigError(`"${command}" requires exactly 1 argument (the container id)`, { hint: `tiny-runc ${command} ID` });
  return positionals[0]!;
}
