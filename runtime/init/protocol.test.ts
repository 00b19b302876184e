import { describe, expect, it } from 'vitest';
import { encodeProgram, execStep, parseInitLine } from './protocol.ts';

describe('the tiny-init program', () => {
  it('is TDK1, flags, count, then op/argc/len-prefixed args', () => {
    const buf = encodeProgram([{ op: 'CHDIR', args: ['/tmp'] }], 1);
    expect(buf.subarray(0, 4).toString()).toBe('TDK1');
    expect(buf.readUInt32LE(4)).toBe(1);
    expect(buf.readUInt32LE(8)).toBe(1);
    expect(buf.readUInt32LE(12)).toBe(6); // CHDIR
    expect(buf.readUInt32LE(16)).toBe(1);
    expect(buf.readUInt32LE(20)).toBe(4);
    expect(buf.subarray(24).toString()).toBe('/tmp');
  });

  it('puts argv and env after the file in the exec step', () => {
    expect(execStep(['sh', '-c', 'x'], ['A=1']).args).toEqual(['sh', '3', 'sh', '-c', 'x', 'A=1']);
    expect(() => execStep([], [])).toThrow('empty command');
  });

  it('refuses NUL bytes that C would cut short', () => {
    expect(() => encodeProgram([{ op: 'CHDIR', args: ['/a\0b'] }])).toThrow(/NUL/);
  });

  it('parses trace and error lines', () => {
    expect(parseInitLine('T 3 120 /proc')).toEqual({ kind: 'trace', op: 'MOUNT', micros: 120, detail: '/proc' });
    expect(parseInitLine('E 127 2 exec: "x": executable file not found in $PATH')).toEqual({
      kind: 'error',
      exitCode: 127,
      errno: 2,
      message: 'exec: "x": executable file not found in $PATH',
    });
    expect(parseInitLine('C 123456789')).toEqual({ kind: 'clock', monotonicMicros: 123456789 });
    expect(parseInitLine('X')).toEqual({ kind: 'exec' });
    expect(parseInitLine('W')).toEqual({ kind: 'wait' });
    expect(parseInitLine('garbage')).toBeNull();
  });
});
