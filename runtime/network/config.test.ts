import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.ts';
import { routedSubnets } from './bridge.ts';
import { networkConfigFromFlags } from './config.ts';
import { natSetupRules, natTeardownRules } from './nat.ts';
import { deleteLinesFor, dnatRules, parsePublish } from './ports.ts';
import { containerCommands, hostCommands, hostVethName } from './veth.ts';

const env = {};
const expectConfigError = (fn: () => unknown, message: RegExp) => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).exitCode).toBe(125);
    expect((err as Error).message).toMatch(message);
    expect((err as Error).message).not.toContain('\n');
    return;
  }
  throw new Error('expected a ConfigError');
};

describe('-p parsing', () => {
  it('reads HOST:CTR, IP:HOST:CTR and the protocol', () => {
    expect(parsePublish('8080:80')).toEqual({ hostIp: null, hostPort: 8080, containerPort: 80, proto: 'tcp' });
    expect(parsePublish('127.0.0.1:8080:80/udp')).toEqual({ hostIp: '127.0.0.1', hostPort: 8080, containerPort: 80, proto: 'udp' });
    expect(parsePublish('0.0.0.0:53:53/UDP').hostIp).toBeNull();
  });

  it('refuses out-of-range ports, words, bad addresses and protocols with one line', () => {
    expectConfigError(() => parsePublish('70000:80'), /host port "70000" is not a port number/);
    expectConfigError(() => parsePublish('abc'), /expected HOSTPORT:CONTAINERPORT/);
    expectConfigError(() => parsePublish('80'), /expected HOSTPORT:CONTAINERPORT/);
    expectConfigError(() => parsePublish('8080:0'), /container port "0"/);
    expectConfigError(() => parsePublish('1.2.3:8080:80'), /not an IPv4 address/);
    expectConfigError(() => parsePublish('8080:80/sctp'), /tcp or udp/);
  });
});

describe('network config from flags', () => {
  it('defaults to bridge tdk0 on 10.88.0.0/16, and "isolated" means bridge', () => {
    expect(networkConfigFromFlags({ env })).toEqual({ mode: 'bridge', bridge: 'tdk0', subnet: '10.88.0.0/16', ports: [] });
    expect(networkConfigFromFlags({ net: 'isolated', env }).mode).toBe('bridge');
    expect(networkConfigFromFlags({ net: 'none', env }).mode).toBe('none');
  });

  it('takes the bridge and subnet from the environment', () => {
    const cfg = networkConfigFromFlags({ env: { TINY_DOCKER_BRIDGE: 'tdkx1', TINY_DOCKER_SUBNET: '172.30.1.0/24' } });
    expect([cfg.bridge, cfg.subnet]).toEqual(['tdkx1', '172.30.1.0/24']);
  });

  it('refuses unknown modes, bad bridges and subnets, and -p without a bridge', () => {
    expectConfigError(() => networkConfigFromFlags({ net: 'bogus', env }), /invalid --net "bogus"/);
    expectConfigError(() => networkConfigFromFlags({ env: { TINY_DOCKER_BRIDGE: 'a-name-longer-than-15' } }), /invalid bridge name/);
    expectConfigError(() => networkConfigFromFlags({ env: { TINY_DOCKER_SUBNET: '8.8.8.0/24' } }), /not a private range/);
    expectConfigError(() => networkConfigFromFlags({ env: { TINY_DOCKER_SUBNET: '10.1.1.1/24' } }), /host bits/);
    expectConfigError(() => networkConfigFromFlags({ net: 'none', publish: ['80:80'], env }), /-p needs --net bridge/);
    expectConfigError(() => networkConfigFromFlags({ publish: ['80:80', '127.0.0.1:80:81'], env }), /same host port/);
  });
});

describe('host routes', () => {
  const routes = [
    'default via 192.0.2.1 dev eth0',
    '192.0.2.0/24 dev eth0 proto kernel scope link src 192.0.2.2',
    'blackhole 10.9.0.0/16',
    '10.20.30.40 via 192.0.2.1 dev eth0',
    '10.88.0.0/16 dev tdk0 proto kernel scope link src 10.88.0.1',
  ].join('\n');

  it('lists routed subnets without the default route and without our own bridge', () => {
    expect(routedSubnets(routes, 'tdk0').map((r) => r.line.split(' ')[0])).toEqual(['192.0.2.0/24', 'blackhole', '10.20.30.40']);
  });
});

describe('rules and ip programs', () => {
  const id = 'abcdef0123456789'.repeat(4);

  it('installs MASQUERADE for the subnet and for loopback, and jumps into our chains', () => {
    const rules = natSetupRules('tdk0', '10.88.0.0/16');
    expect(rules).toContain('-A TDK-POST-tdk0 -s 10.88.0.0/16 ! -o tdk0 -j MASQUERADE');
    expect(rules).toContain('-A TDK-POST-tdk0 -s 127.0.0.0/8 -o tdk0 -j MASQUERADE');
    expect(rules).toContain('-I OUTPUT -m addrtype --dst-type LOCAL -j TDK-DNAT-tdk0');
    // teardown deletes exactly the jumps setup inserted
    const teardown = natTeardownRules('tdk0');
    for (const line of rules.split('\n').filter((l) => l.startsWith('-I '))) expect(teardown).toContain('-D' + line.slice(2));
    expect(teardown).toContain('-X TDK-FWD-tdk0');
  });

  it('writes DNAT rules marked with the container id and finds them again in iptables -S', () => {
    const [rule] = dnatRules('tdk0', id, '10.88.0.2', [parsePublish('127.0.0.1:8080:80')]);
    expect(rule).toBe('-A TDK-DNAT-tdk0 -d 127.0.0.1/32 -p tcp -m tcp --dport 8080 -m comment --comment tdk:abcdef012345 -j DNAT --to-destination 10.88.0.2:80');
    const listing = [
      '-N TDK-DNAT-tdk0',
      '-A TDK-DNAT-tdk0 -p tcp -m tcp --dport 8080 -m comment --comment "tdk:abcdef012345" -j DNAT --to-destination 10.88.0.2:80',
      '-A TDK-DNAT-tdk0 -p tcp -m tcp --dport 9090 -m comment --comment "tdk:999999999999" -j DNAT --to-destination 10.88.0.3:80',
    ].join('\n');
    expect(deleteLinesFor(listing, id)).toEqual([
      '-D TDK-DNAT-tdk0 -p tcp -m tcp --dport 8080 -m comment --comment "tdk:abcdef012345" -j DNAT --to-destination 10.88.0.2:80',
    ]);
  });

  it('names the host end from the id and creates eth0 inside the netns', () => {
    expect(hostVethName(id)).toBe('tdkabcdef01');
    const plan = { hostVeth: 'tdkabcdef01', bridge: 'tdk0', pid: 42, cidr: '10.88.0.2/16', gateway: '10.88.0.1' };
    expect(hostCommands(plan)).toContain('link add tdkabcdef01 type veth peer name eth0 netns 42');
    expect(containerCommands(plan)).toContain('route add default via 10.88.0.1 dev eth0');
  });
});
