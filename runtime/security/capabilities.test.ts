import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.ts';
import { CAPABILITIES, DEFAULT_CAPABILITIES, capabilityMask, capabilityNames, normalizeCapability, resolveCapabilities } from './capabilities.ts';

const resolve = (add: string[] = [], drop: string[] = [], privileged = false) => resolveCapabilities({ add, drop, privileged });

describe('capabilities', () => {
  it('the table goes up to CAP_CHECKPOINT_RESTORE = 40 with no gaps', () => {
    expect(CAPABILITIES.CAP_CHECKPOINT_RESTORE).toBe(40);
    expect(new Set(Object.values(CAPABILITIES)).size).toBe(41);
    expect(Math.max(...Object.values(CAPABILITIES))).toBe(40);
  });

  it("Docker's default 14 make the mask a container shows in CapEff (0xa80425fb)", () => {
    expect(DEFAULT_CAPABILITIES).toHaveLength(14);
    expect(capabilityMask(resolve(), 40)).toBe(0xa80425fbn);
  });

  it('names are accepted with or without CAP_, in any case, as Docker does', () => {
    expect(normalizeCapability('net_admin')).toBe('CAP_NET_ADMIN');
    expect(normalizeCapability('CAP_sys_admin')).toBe('CAP_SYS_ADMIN');
    expect(normalizeCapability('all')).toBe('ALL');
  });

  it('an unknown capability is a config error (exit 125) naming it', () => {
    expect(() => resolve(['NOT_A_CAP'])).toThrow(ConfigError);
    expect(() => resolve(['NOT_A_CAP'])).toThrow(/unknown capability: "NOT_A_CAP"/);
    try {
      resolve([], ['bogus']);
    } catch (e) {
      expect((e as ConfigError).exitCode).toBe(125);
    }
  });

  it('--cap-add adds to the defaults and --cap-drop removes from them', () => {
    const caps = resolve(['NET_ADMIN'], ['chown']);
    expect(caps).toContain('CAP_NET_ADMIN');
    expect(caps).not.toContain('CAP_CHOWN');
    expect(caps).toHaveLength(14);
  });

  it('a capability both added and dropped stays (add wins, as in Docker)', () => {
    expect(resolve(['NET_RAW'], ['NET_RAW'])).toContain('CAP_NET_RAW');
  });

  it('--cap-drop ALL keeps only what --cap-add names', () => {
    expect(resolve(['CHOWN'], ['ALL'])).toEqual(['CAP_CHOWN']);
    expect(capabilityMask(resolve([], ['ALL']), 40)).toBe(0n);
  });

  it('--cap-add ALL gives everything but what --cap-drop names', () => {
    expect(resolve(['ALL'])).toBe('ALL');
    const caps = resolve(['ALL'], ['SYS_ADMIN']);
    expect(caps).not.toContain('CAP_SYS_ADMIN');
    expect(caps).toHaveLength(40);
  });

  it('--privileged keeps every capability the kernel has, whatever else is asked', () => {
    expect(resolve([], ['ALL'], true)).toBe('ALL');
    expect(capabilityMask('ALL', 40)).toBe((1n << 41n) - 1n);
    // an older kernel (cap_last_cap 37) gets no bits it does not know: capset would refuse them
    expect(capabilityMask('ALL', 37)).toBe((1n << 38n) - 1n);
    expect(capabilityNames(capabilityMask(['CAP_BPF', 'CAP_KILL'], 37))).toEqual(['CAP_KILL']);
  });
});
