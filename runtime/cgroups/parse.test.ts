import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.ts';
import { cgroupConfigFromFlags, checkCgroupConfig, checkParent } from './config.ts';
import { parseCpuShares, parseCpus, parseMemory, parseMemorySwap, parsePidsLimit, sharesToWeight } from './parse.ts';

const rejects = (fn: () => unknown, text: RegExp) => {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(ConfigError);
  expect((err as ConfigError).exitCode).toBe(125);
  expect((err as Error).message).toMatch(text);
  expect((err as Error).message).not.toContain('\n');
};

describe('parseMemory', () => {
  it('reads sizes with b/k/m/g units in any case, as Docker does', () => {
    expect(parseMemory('128m')).toBe(134217728);
    expect(parseMemory('128M')).toBe(134217728);
    expect(parseMemory('128mb')).toBe(134217728);
    expect(parseMemory('131072k')).toBe(134217728);
    expect(parseMemory('1g')).toBe(1073741824);
    expect(parseMemory('1.5G')).toBe(1610612736);
    expect(parseMemory('6291456')).toBe(6291456);
    expect(parseMemory('6291456b')).toBe(6291456);
  });
  it('rejects garbage, negatives, zero, tiny limits and overflow with one line', () => {
    rejects(() => parseMemory('12xb'), /invalid value "12xb" for --memory/);
    rejects(() => parseMemory('-1'), /invalid value "-1"/);
    rejects(() => parseMemory('0'), /more than 0/);
    rejects(() => parseMemory('1k'), /minimum memory limit is 6m/);
    rejects(() => parseMemory('5m'), /minimum/);
    rejects(() => parseMemory('99999999999g'), /too large/);
    rejects(() => parseMemory(''), /expected a size/);
    rejects(() => parseMemory('m'), /expected a size/);
  });
});

describe('parseMemorySwap', () => {
  it('is memory + swap, -1 for unlimited, and needs --memory', () => {
    expect(parseMemorySwap('256m', 134217728)).toBe(268435456);
    expect(parseMemorySwap('-1', 134217728)).toBe(-1);
    rejects(() => parseMemorySwap('64m', 134217728), /at least --memory/);
    rejects(() => parseMemorySwap('1g', undefined), /needs --memory/);
  });
});

describe('parseCpus', () => {
  it('turns 0.5 into a 50 ms quota per 100 ms period', () => {
    expect(parseCpus('0.5', 2)).toEqual({ quota: 50000, period: 100000 });
    expect(parseCpus('2', 2)).toEqual({ quota: 200000, period: 100000 });
    expect(parseCpus('.25', 2)).toEqual({ quota: 25000, period: 100000 });
  });
  it('rejects 0, negatives, words and more CPUs than the machine has', () => {
    rejects(() => parseCpus('0', 2), /range is 0.01 to 2.00/);
    rejects(() => parseCpus('999', 2), /this machine has 2 CPUs/);
    rejects(() => parseCpus('2.5', 2), /range/);
    rejects(() => parseCpus('-1', 2), /expected a number of CPUs/);
    rejects(() => parseCpus('half', 2), /expected a number of CPUs/);
    rejects(() => parseCpus('0.001', 2), /range/);
  });
});

describe('parsePidsLimit and parseCpuShares', () => {
  it('accepts positive pids limits and -1, rejects 0', () => {
    expect(parsePidsLimit('10')).toBe(10);
    expect(parsePidsLimit('-1')).toBe(-1);
    rejects(() => parsePidsLimit('0'), /at least 1/);
    rejects(() => parsePidsLimit('ten'), /at least 1/);
    rejects(() => parsePidsLimit('1.5'), /at least 1/);
  });
  it('accepts cpu shares 2…262144; 0 means the default', () => {
    expect(parseCpuShares('512')).toBe(512);
    expect(parseCpuShares('0')).toBeUndefined();
    rejects(() => parseCpuShares('1'), /2 to 262144/);
    rejects(() => parseCpuShares('300000'), /2 to 262144/);
    rejects(() => parseCpuShares('-5'), /whole number/);
  });
});

describe('sharesToWeight', () => {
  it("maps v1 shares to v2 weight linearly, as crun's convert_shares_to_weight", () => {
    expect(sharesToWeight(2)).toBe(1);
    expect(sharesToWeight(262144)).toBe(10000);
    expect(sharesToWeight(1024)).toBe(39);
    expect(sharesToWeight(512)).toBe(20);
    expect(sharesToWeight(0)).toBe(0);
  });
});

describe('cgroupConfigFromFlags', () => {
  it('builds the config saved in spec.features.cgroups', () => {
    expect(cgroupConfigFromFlags({ memory: '128m', pidsLimit: '10', cpus: '0.5', cpuShares: '512', cgroupParent: 'ci/jobs' }, {})).toEqual({
      memory: 134217728,
      pidsLimit: 10,
      cpuQuota: 50000,
      cpuPeriod: 100000,
      cpuShares: 512,
      parent: 'ci/jobs',
    });
    expect(cgroupConfigFromFlags({}, {})).toEqual({});
  });
  it('takes the parent from TINY_DOCKER_CGROUP_PARENT when there is no flag', () => {
    expect(cgroupConfigFromFlags({}, { TINY_DOCKER_CGROUP_PARENT: '/ci' }).parent).toBe('/ci');
    expect(cgroupConfigFromFlags({ cgroupParent: 'x' }, { TINY_DOCKER_CGROUP_PARENT: '/ci' }).parent).toBe('x');
  });
  it('rejects parents that would climb out of the tree', () => {
    rejects(() => checkParent('../escape'), /invalid --cgroup-parent/);
    rejects(() => checkParent('a/../../b'), /invalid --cgroup-parent/);
    rejects(() => checkParent('/'), /invalid --cgroup-parent/);
    expect(checkParent('/a//b/')).toBe('/a/b');
  });
  it('checks configs that did not come from flags (library callers)', () => {
    rejects(() => checkCgroupConfig({ memory: 1024 }), /below the minimum/);
    rejects(() => checkCgroupConfig({ pidsLimit: 0 }), /at least 1/);
    rejects(() => checkCgroupConfig({ cpuQuota: 50000 }), /go together/);
    expect(checkCgroupConfig({ memory: 134217728, memorySwap: -1 })).toEqual({ memory: 134217728, memorySwap: -1 });
  });
});
