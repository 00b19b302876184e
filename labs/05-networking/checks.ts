/**
 * Lab 05 — networking: a network namespace is empty until the host wires
 * it: a veth pair, one end on the bridge tdk0, the other renamed eth0.
 * All traffic stays between this host and the lab's own containers.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import { defineLab, expectExit, expectMatch, expectOutput, fail } from '../../harness/lab-api.ts';
import { sleep } from '../../harness/context.ts';

const IPV4 = /inet (\d+\.\d+\.\d+\.\d+)\/(\d+)/;

export default defineLab({
  id: '05-networking',
  title: 'Networking: veth, bridge, NAT, published ports',
  idea: 'A new network namespace has only lo; a veth pair and a bridge connect it to the host, and iptables NAT connects it to the world.',
  requires: [{ runFlag: 'net' }, { feature: 'network' }],
  checks: [
    {
      id: 'net-host',
      title: '--net host shares the host’s network namespace (and isolates nothing)',
      runs: 'tiny-docker run --net host readlink /proc/self/ns/net',
      expect: 'the same net:[inode] as the host',
      hint: 'no CLONE_NEWNET for --net host',
      async verify(t) {
        expectOutput(await t.cli(['run', '--rootfs', t.image, '--net', 'host', 'readlink', '/proc/self/ns/net']), fs.readlinkSync('/proc/self/ns/net'));
      },
    },
    {
      id: 'eth0',
      title: '--net bridge: eth0 has an address in the bridge’s subnet',
      runs: 'tiny-docker run --net bridge ip -4 addr show eth0',
      expect: 'inet 10.x.y.z/24 (or the configured subnet)',
      hint: 'ip link add … type veth peer name …; move the peer into the container’s netns (ip link set … netns PID), rename it eth0, add the leased address',
      async verify(t) {
        expectMatch(await t.cli(['run', '--rootfs', t.image, '--net', 'bridge', 'ip', '-4', 'addr', 'show', 'eth0']), IPV4, 'an IPv4 address on eth0');
      },
    },
    {
      id: 'default-route',
      title: 'a default route through the bridge address',
      runs: 'tiny-docker run --net bridge ip route',
      expect: 'default via <bridge address> dev eth0',
      hint: 'ip route add default via GATEWAY inside the container’s namespace, after lo and eth0 are up',
      async verify(t) {
        expectMatch(await t.cli(['run', '--rootfs', t.image, '--net', 'bridge', 'ip', 'route']), /^default via \d+\.\d+\.\d+\.\d+ dev eth0/m, '"default via … dev eth0"');
      },
    },
    {
      id: 'ping-gateway',
      title: 'the container pings the bridge',
      runs: "tiny-docker run --net bridge sh -c 'busybox ping -c1 -W2 $(ip route | awk \"/default/ {print \\$3}\")'",
      expect: '1 packets received, exit 0',
      hint: 'the bridge tdk0 must be up and own the gateway address; the host end of the veth must be attached to it and up',
      async verify(t) {
        expectExit(await t.sh('busybox ping -c1 -W2 $(ip route | awk \'/default/ {print $3}\')', ['--net', 'bridge']), 0);
      },
    },
    {
      id: 'container-to-container',
      title: 'two containers ping each other by IP',
      runs: 'A: tiny-docker run --net bridge sh -c "ip -4 addr show eth0; sleep 20"   B: tiny-docker run --net bridge busybox ping -c1 -W2 <A>',
      expect: 'B gets an answer from A',
      hint: 'two veths on the same bridge are on one L2 segment; IPAM must not hand out the same address twice',
      timeoutMs: 40_000,
      async verify(t) {
        const a = t.background('ip -4 addr show eth0; sleep 20', ['--net', 'bridge']);
        const ip = (await a.waitFor(IPV4))[1]!;
        const r = await t.cli(['run', '--rootfs', t.image, '--net', 'bridge', 'busybox', 'ping', '-c1', '-W2', ip]);
        await a.stop();
        expectExit(r, 0);
      },
    },
    {
      id: 'host-to-container',
      title: 'the host pings the container, and NAT (MASQUERADE) covers its subnet',
      runs: 'tiny-docker run --net bridge sh -c "ip -4 addr show eth0; sleep 20" & busybox ping -c1 <its IP>; iptables -t nat -S',
      expect: 'an answer; a MASQUERADE rule for the subnet',
      hint: 'the host reaches the subnet through tdk0; ip_forward=1 and -t nat … -s SUBNET ! -o tdk0 -j MASQUERADE let it out',
      requires: [{ hostTool: 'iptables' }, { hostTool: 'busybox' }],
      timeoutMs: 40_000,
      async verify(t) {
        const a = t.background('ip -4 addr show eth0; sleep 20', ['--net', 'bridge']);
        const ip = (await a.waitFor(IPV4))[1]!;
        const ping = await t.host('busybox', ['ping', '-c1', '-W2', ip]);
        const nat = await t.host('iptables', ['-t', 'nat', '-S']);
        await a.stop();
        expectExit(ping, 0);
        const net = ip.split('.').slice(0, 2).join('.');
        if (!nat.stdout.split('\n').some((l) => l.includes('MASQUERADE') && l.includes(net))) fail(`no MASQUERADE rule for ${net}.… in \`iptables -t nat -S\``);
      },
    },
    {
      id: 'published-port',
      title: '-p HOST:80 publishes the container’s web server on 127.0.0.1',
      runs: "tiny-docker run -p PORT:80 sh -c 'mkdir /www; echo hello-lab05 > /www/index.html; exec busybox httpd -f -p 80 -h /www' & curl http://127.0.0.1:PORT/",
      expect: 'hello-lab05',
      hint: 'DNAT in PREROUTING and OUTPUT (for traffic from the host itself), plus route_localnet for 127.0.0.1',
      requires: [{ runFlag: 'publish' }],
      timeoutMs: 40_000,
      async verify(t) {
        const port = 20000 + (crypto.randomBytes(2).readUInt16BE() % 10000);
        const token = `hello-lab05-${crypto.randomBytes(3).toString('hex')}`;
        const a = t.background(`mkdir -p /www && echo ${token} > /www/index.html && echo serving && exec busybox httpd -f -p 80 -h /www`, ['--net', 'bridge', '-p', `${port}:80`]);
        await a.waitFor(/serving/);
        let body = '';
        let last = '';
        for (let i = 0; i < 30 && !body.includes(token); i++) {
          try {
            body = await (await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(1000) })).text();
          } catch (err) {
            last = (err as Error).message;
            await sleep(200);
          }
        }
        await a.stop();
        if (!body.includes(token)) fail(`http://127.0.0.1:${port}/ did not serve the container’s file (${last || JSON.stringify(body.slice(0, 80))})`);
      },
    },
  ],
});
