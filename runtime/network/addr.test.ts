import { describe, expect, it } from 'vitest';
import {
  broadcastOf,
  containerRange,
  firstFree,
  formatIp,
  formatSubnet,
  gatewayOf,
  isPrivate,
  overlaps,
  parseIp,
  parseSubnet,
  type Subnet,
} from './addr.ts';

const sub = (t: string) => parseSubnet(t) as Subnet;

describe('IPv4 address math', () => {
  it('parses and prints dotted quads, including the top of the range', () => {
    expect(parseIp('10.88.0.2')).toBe(0x0a580002);
    expect(formatIp(parseIp('255.255.255.255')!)).toBe('255.255.255.255');
    expect(formatIp(0)).toBe('0.0.0.0');
  });

  it('refuses what is not an address', () => {
    for (const bad of ['10.88.0', '10.88.0.256', '10.88.0.-1', 'a.b.c.d', '010.1.1.1', '1.2.3.4.5', '']) {
      expect(parseIp(bad), bad).toBeNull();
    }
  });

  it('finds gateway, broadcast and the container range of a /24 and a /16', () => {
    const s24 = sub('10.200.3.0/24');
    expect(formatIp(gatewayOf(s24))).toBe('10.200.3.1');
    expect(formatIp(broadcastOf(s24))).toBe('10.200.3.255');
    const r = containerRange(s24);
    expect([formatIp(r.first), formatIp(r.last)]).toEqual(['10.200.3.2', '10.200.3.254']);
    expect(formatIp(broadcastOf(sub('10.88.0.0/16')))).toBe('10.88.255.255');
  });

  it('explains a subnet with host bits set or a bad prefix', () => {
    expect(parseSubnet('10.88.0.5/16')).toMatch(/host bits are set \(did you mean 10\.88\.0\.0\/16\?\)/);
    expect(parseSubnet('10.88.0.0/33')).toMatch(/prefix length/);
    expect(parseSubnet('10.88.0.0')).toMatch(/CIDR/);
    expect(formatSubnet(sub('192.168.7.0/24'))).toBe('192.168.7.0/24');
  });

  it('detects overlapping subnets in both directions', () => {
    expect(overlaps(sub('10.0.0.0/8'), sub('10.88.0.0/16'))).toBe(true);
    expect(overlaps(sub('10.88.0.0/16'), sub('10.0.0.0/8'))).toBe(true);
    expect(overlaps(sub('10.88.0.0/24'), sub('10.88.1.0/24'))).toBe(false);
    expect(overlaps(sub('192.0.2.0/24'), sub('192.0.2.128/25'))).toBe(true);
  });

  it('hands out the lowest free address and reports a full subnet', () => {
    const s = sub('10.1.2.0/30'); // .0 network, .1 gateway, .2 the only container, .3 broadcast
    expect(formatIp(firstFree(s, new Set())!)).toBe('10.1.2.2');
    expect(firstFree(s, new Set([parseIp('10.1.2.2')!]))).toBeNull();
    const big = sub('10.1.0.0/24');
    expect(formatIp(firstFree(big, new Set([parseIp('10.1.0.2')!, parseIp('10.1.0.3')!]))!)).toBe('10.1.0.4');
  });

  it('knows the private ranges', () => {
    expect(isPrivate(sub('10.88.0.0/16'))).toBe(true);
    expect(isPrivate(sub('172.20.0.0/16'))).toBe(true);
    expect(isPrivate(sub('8.8.8.0/24'))).toBe(false);
    expect(isPrivate(sub('10.0.0.0/7'))).toBe(false);
  });
});
