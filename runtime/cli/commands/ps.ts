/**
 * tiny-docker ps [-a] [-q] [--format json]
 */
import { observe } from '../../lifecycle/status.ts';
import { shortId } from '../../ids.ts';
import { ConfigError } from '../../errors.ts';
import { bool, helpText, parseArgs, str, type FlagSpec } from '../args.ts';
import { openStore } from '../containers.ts';
import { table } from '../output.ts';

const FLAGS: FlagSpec[] = [
  { name: 'all', short: 'a', type: 'bool', help: 'show all containers (default: running only)' },
  { name: 'quiet', short: 'q', type: 'bool', help: 'only print container ids' },
  { name: 'format', type: 'string', value: 'table|json', help: 'output format: table (default) or json (one object per line)' },
  { name: 'help', type: 'bool', help: 'show this help' },
];

/** "3 seconds ago", "2 minutes ago", as docker ps writes it. */
export function ago(iso: string | null, now = Date.now()): string {
  if (!iso) return '';
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 2) return 'Less than a second ago';
  const [n, unit] = s < 120 ? [s, 'second'] : s < 7200 ? [Math.floor(s / 60), 'minute'] : s < 172800 ? [Math.floor(s / 3600), 'hour'] : [Math.floor(s / 86400), 'day'];
  return `${n} ${unit}s ago`;
}

export default async function ps(argv: string[]): Promise<number> {
  const { flags, positionals } = parseArgs('ps', argv, FLAGS);
  if (bool(flags, 'help')) {
    process.stdout.write(helpText('tiny-docker ps [OPTIONS]', 'List containers.', FLAGS));
    return 0;
  }
  if (positionals.length > 0) throw new ConfigError(`ps takes no arguments, got ${JSON.stringify(positionals[0])}`);
  const format = str(flags, 'format') ?? 'table';
  if (format !== 'table' && format !== 'json') throw new ConfigError(`invalid --format ${JSON.stringify(format)}: use table or json`);
  const store = openStore();
  const rows = [];
  for (const entry of store.list()) {
    if (!entry.ok) {
      // Name the broken entry, but keep listing the others.
      process.stderr.write(`tiny-docker: skipping container ${shortId(entry.id)}: ${entry.error}\n`);
      continue;
    }
    const o = observe(store, entry.state);
    if (!o.running && !bool(flags, 'all')) continue;
    rows.push(o);
  }
  rows.sort((a, b) => Date.parse(b.state.createdAt) - Date.parse(a.state.createdAt));
  if (bool(flags, 'quiet')) {
    process.stdout.write(rows.map((o) => `${shortId(o.state.id)}\n`).join(''));
  } else if (format === 'json') {
    for (const o of rows) {
      const s = o.state;
      process.stdout.write(JSON.stringify({ ID: s.id, Name: s.name, Status: o.status, Pid: o.running ? s.pid : null, ExitCode: o.exitCode, CreatedAt: s.createdAt, Command: s.command }) + '\n');
    }
  } else {
    const lines = [['ID', 'STATUS', 'PID', 'CREATED', 'COMMAND', 'NAME']];
    for (const o of rows) {
      const s = o.state;
      const status = o.status === 'exited' ? `exited (${o.exitCode ?? '?'})` : o.status === 'dead' ? 'dead (exit code unknown)' : o.status;
      const cmd = s.command.join(' ');
      lines.push([shortId(s.id), status, o.running ? String(s.pid) : '-', ago(s.createdAt), JSON.stringify(cmd.length > 30 ? cmd.slice(0, 29) + '…' : cmd), s.name]);
    }
    process.stdout.write(table(lines));
  }
  return 0;
}
