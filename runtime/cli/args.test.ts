import { describe, expect, it } from 'vitest';
import { parseArgs, type FlagSpec } from './args.ts';

const specs: FlagSpec[] = [
  { name: 'env', short: 'e', type: 'list', help: '' },
  { name: 'interactive', short: 'i', type: 'bool', help: '' },
  { name: 'tty', short: 't', type: 'bool', help: '' },
  { name: 'name', type: 'string', help: '' },
  { name: 'publish', short: 'p', type: 'list', help: '' },
];

describe('run flags', () => {
  it('stop at the command so its own flags stay its own', () => {
    const r = parseArgs('run', ['--name', 'web', '-it', '/bin/sh', '-c', 'echo -e hi'], specs, { stopAtPositional: true });
    expect(r.flags).toEqual({ name: 'web', interactive: true, tty: true });
    expect(r.positionals).toEqual(['/bin/sh', '-c', 'echo -e hi']);
  });

  it('accept --flag=value, repeated lists and glued short values', () => {
    const r = parseArgs('run', ['--name=db', '-e', 'A=1', '-eB=2', '-p8080:80', 'true'], specs, { stopAtPositional: true });
    expect(r.flags).toEqual({ name: 'db', env: ['A=1', 'B=2'], publish: ['8080:80'] });
  });

  it('refuse unknown flags with a hint', () => {
    expect(() => parseArgs('run', ['--nope'], specs)).toThrow('unknown flag: --nope');
    expect(() => parseArgs('run', ['-z'], specs)).toThrow('unknown flag: -z');
  });

  it('say when a value is missing', () => {
    expect(() => parseArgs('run', ['--name'], specs)).toThrow('flag needs an argument: --name');
  });
});
