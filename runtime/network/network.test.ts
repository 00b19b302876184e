/**
 * Real bridge networking, as root: every test uses this file's own bridge
 * and subnet, and sends traffic only between the host and its own
 * containers (bridge address, container addresses, 127.0.0.1).
 */
import { execFile, execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runContainer, type Container } from '../container.ts';
import type { Feature } from '../features.ts';
import { featuresFor } from '../feature-registry.ts';
import { Store } from '../store.ts';
import { BIN, HOST_ROOTFS, cli, stateEntries, tempRoot } from '../../test/helpers.ts';
import { networkResidue, specFor, uniqueNetwork } from '../../test/network.ts';
import type { NetworkFacts } from './feature.ts';
import { networkFactory } from './feature.ts';
import { leaseDir } from './ipam.ts';

const NET = uniqueNetwork();
const BRIDGE = NET.TINY_DOCKER_BRIDGE;
const PREFIX = NET.TINY_DOCKER_SUBNET.replace(/\.0\/24$/, '.'); // "10.2xx.y."
const GATEWAY = `${PREFIX}1`;
const root = tempRoot('network');
const store = new Store(root);
const env = { ...process.env, ...NET };
const run = (args: string[], timeoutMs?: number) => cli(root, ['run', '--rm', '--rootfs', HOST_ROOTFS, ...args], { env, ...(timeoutMs ? { timeoutMs } : {}) });
/** Host ids of every container this file started, to find leaked veths. */
const ids: string[] = [];
const hostnameOf = (out: string) => /HOST=([0-9a-f]{12})/.exec(out)?.[1];

/** Start a long-running container in-process; resolves once its network is up. */
async function background(command: string[], publish: string[] = []): Promise<{ c: Container; ip: string }> {
  const spec = specFor(HOST_ROOTFS, command, { publish, env: NET });
  ids.push(spec.id);
  const c = await runContainer(spec, { store, stdio: ['ignore', 'ignore', 'ignore'] });
  const facts = store.read(spec.id).facts.network as NetworkFacts;
  return { c, ip: facts.ip! };
}

async function stop(c: Container): Promise<void> {
  c.kill('SIGKILL'); // PID 1 ignores SIGTERM unless it handles it (httpd, sleep do not)
  await c.wait();
}

function expectNothingLeft(): void {
  expect(networkResidue(BRIDGE, ids)).toEqual({ links: [], leases: [], rules: [] });
  expect(stateEntries(root)).toEqual([]);
}

beforeAll(() => expectNothingLeft());
afterAll(() => {
  expectNothingLeft();
  fs.rmSync(root, { recursive: true, force: true });
});

describe('bridge networking', () => {
  it('run --net bridge shows eth0 with an address in the subnet and a default route via the bridge', () => {
    const r = run(['--net', 'bridge', '/bin/sh', '-c', 'echo HOST=$(hostname); ip -o -4 addr show eth0; ip route; ip -o link show lo']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    ids.push(hostnameOf(r.stdout)!);
    expect(r.stdout).toMatch(new RegExp(`eth0\\s+inet ${PREFIX.replace(/\./g, '\\.')}\\d+/24`));
    expect(r.stdout).toContain(`default via ${GATEWAY} dev eth0`);
    expect(r.stdout).toMatch(/lo: <LOOPBACK,UP/);
    expectNothingLeft();
  });

  it('names the container in /etc/hosts and /etc/hostname, and drops loopback resolvers', () => {
    const r = run(['--hostname', 'web1', '/bin/sh', '-c', 'cat /etc/hostname /etc/hosts /etc/resolv.conf; ip -o -4 addr show eth0']);
    expect(r.code).toBe(0);
    const ip = new RegExp(`inet (${PREFIX.replace(/\./g, '\\.')}\\d+)/`).exec(r.stdout)![1];
    expect(r.stdout.split('\n')[0]).toBe('web1');
    expect(r.stdout).toContain(`${ip}\tweb1`);
    expect(r.stdout).not.toMatch(/nameserver\s+127\./);
  });

  it('the container pings the bridge address', () => {
    const r = run(['/bin/busybox', 'ping', '-c', '1', '-W', '2', GATEWAY]);
    expect(r.stdout).toContain('1 packets received');
    expect(r.code).toBe(0);
  });

  it('two containers ping each other, and the host pings them', async () => {
    const a = await background(['/bin/sleep', '60']);
    try {
      const r = run(['/bin/sh', '-c', `echo HOST=$(hostname); busybox ping -c 1 -W 2 ${a.ip}`]);
      ids.push(hostnameOf(r.stdout)!);
      expect(r.stdout).toContain('1 packets received');
      expect(r.code).toBe(0);
      // The host has no `ping` of its own here; busybox-static has one.
      const host = execFileSync('/bin/busybox', ['ping', '-c', '1', '-W', '2', a.ip], { encoding: 'utf8' });
      expect(host).toContain('1 packets received');
    } finally {
      await stop(a.c);
    }
    expectNothingLeft();
  });

  it('a published port serves the container\'s file on 127.0.0.1, and the port cannot be published twice', async () => {
    const port = 20000 + Math.floor(Math.random() * 20000);
    const www = 'mkdir -p /www && echo "hello from the container" > /www/index.html && exec busybox httpd -f -p 80 -h /www';
    const web = await background(['/bin/sh', '-c', www], [`${port}:80`]);
    try {
      let body = '';
      for (let i = 0; i < 50 && !body; i++) {
        body = await fetch(`http://127.0.0.1:${port}/`).then((r) => r.text()).catch(() => '');
        if (!body) await new Promise((r) => setTimeout(r, 100));
      }
      expect(body).toBe('hello from the container\n');

      const twice = run(['-p', `${port}:8080`, '/bin/true']);
      expect(twice.code).toBe(125);
      expect(twice.stderr).toMatch(new RegExp(`host port 0\\.0\\.0\\.0:${port}->8080/tcp is already published by container`));
      expect(twice.stderr.trim().split('\n')[0]).toMatch(/already published/);
    } finally {
      await stop(web.c);
    }
    expectNothingLeft();
  });

  it('run -d -p serves on 127.0.0.1 until rm -f, which removes the rule, lease and veth', async () => {
    const port = 20000 + Math.floor(Math.random() * 20000);
    const www = 'mkdir -p /www && echo "detached hello" > /www/index.html && exec busybox httpd -f -p 80 -h /www';
    const d = cli(root, ['run', '-d', '--rootfs', HOST_ROOTFS, '-p', `${port}:80`, '/bin/sh', '-c', www], { env });
    expect(d.code).toBe(0);
    const id = d.stdout.trim();
    ids.push(id);
    try {
      let body = '';
      for (let i = 0; i < 50 && !body; i++) {
        body = await fetch(`http://127.0.0.1:${port}/`).then((r) => r.text()).catch(() => '');
        if (!body) await new Promise((r) => setTimeout(r, 100));
      }
      expect(body).toBe('detached hello\n');
      expect(networkResidue(BRIDGE, [id]).rules.some((l) => l.includes(`--dport ${port}`))).toBe(true);
    } finally {
      expect(cli(root, ['rm', '-f', id], { env }).code).toBe(0);
    }
    expectNothingLeft();
  });

  it('20 parallel runs get 20 different addresses and leave nothing behind', async () => {
    // A barrier on the host: each container connects and waits for a line,
    // which the host sends once all 20 are connected, so all 20 hold their
    // lease at the same time (addresses may be reused one after another).
    const sockets: net.Socket[] = [];
    const release = () => sockets.forEach((s) => s.end('go\n'));
    const server = net.createServer((s) => {
      sockets.push(s);
      if (sockets.length === 20) release();
    });
    await new Promise<void>((r) => server.listen(0, '0.0.0.0', r));
    const port = (server.address() as net.AddressInfo).port;
    const timer = setTimeout(release, 120_000);
    const script = `exec 3<>/dev/tcp/${GATEWAY}/${port} && read -r go <&3 && echo HOST=$(hostname) $(ip -o -4 addr show eth0)`;
    const exec = promisify(execFile);
    try {
      const runs = Array.from({ length: 20 }, () =>
        exec(BIN, ['--root', root, 'run', '--rm', '--rootfs', HOST_ROOTFS, '/bin/bash', '-c', script], { env, timeout: 150_000 }),
      );
      const outs = (await Promise.all(runs)).map((r) => r.stdout);
      for (const o of outs) ids.push(hostnameOf(o)!);
      const ips = outs.map((o) => new RegExp(`inet (${PREFIX.replace(/\./g, '\\.')}\\d+)/24`).exec(o)?.[1]);
      expect(ips.every(Boolean)).toBe(true);
      expect(new Set(ips).size).toBe(20);
    } finally {
      clearTimeout(timer);
      server.close();
    }
    expectNothingLeft();
  }, 180_000);
});

describe('other modes', () => {
  it('--net none has only lo, and it is up', () => {
    const r = run(['--net', 'none', 'ip', '-o', 'link']);
    expect(r.code).toBe(0);
    const links = r.stdout.trim().split('\n');
    expect(links).toHaveLength(1);
    expect(links[0]).toMatch(/^1: lo: <LOOPBACK,UP,LOWER_UP>/);
  });

  it('--net host sees the host\'s interfaces (it isolates nothing)', () => {
    const r = run(['--net', 'host', 'ip', '-o', 'link']);
    expect(r.code).toBe(0);
    const hostLinks = execFileSync('ip', ['-o', 'link'], { encoding: 'utf8' }).split('\n').filter((l) => / eth0[:@]/.test(l)).length;
    expect(r.stdout.split('\n').filter((l) => / eth0[:@]/.test(l))).toHaveLength(hostLinks);
    expect(r.stdout.trim().split('\n').length).toBeGreaterThan(1);
  });
});

describe('bad input and failures', () => {
  it.each([
    [['-p', '70000:80'], /invalid -p "70000:80": host port "70000" is not a port number/],
    [['-p', 'abc'], /invalid -p "abc"/],
    [['--net', 'bogus'], /invalid --net "bogus": use bridge, none or host/],
  ])('run %j gives one line and 125', (args, message) => {
    const r = run([...args, '/bin/true']);
    expect(r.code).toBe(125);
    expect(r.stderr.trim().split('\n')[0]).toMatch(message);
    expectNothingLeft();
  });

  it('a subnet that overlaps a host route is refused with one line and 125', () => {
    // A route of our own to collide with: an empty bridge (no traffic, removed below).
    const dummy = `tdkd${BRIDGE.slice(4)}`;
    const routed = NET.TINY_DOCKER_SUBNET.replace(/\.0\/24$/, '.129/25');
    execFileSync('ip', ['link', 'add', dummy, 'type', 'bridge']);
    try {
      execFileSync('ip', ['addr', 'add', routed, 'dev', dummy]);
      execFileSync('ip', ['link', 'set', dummy, 'up']);
      const r = run(['/bin/true']);
      expect(r.code).toBe(125);
      expect(r.stderr.trim().split('\n')[0]).toMatch(new RegExp(`subnet ${NET.TINY_DOCKER_SUBNET} overlaps the host route ".*dev ${dummy}`));
      expectNothingLeft();
    } finally {
      execFileSync('ip', ['link', 'del', dummy]);
    }
  });

  it('another subnet on a bridge in use is refused with one line and 125', async () => {
    const a = await background(['/bin/sleep', '60']);
    try {
      const other = NET.TINY_DOCKER_SUBNET.replace(/\.0\/24$/, '.0/25');
      const r = cli(root, ['run', '--rm', '--rootfs', HOST_ROOTFS, '/bin/true'], { env: { ...env, TINY_DOCKER_SUBNET: other } });
      expect(r.code).toBe(125);
      expect(r.stderr.trim().split('\n')[0]).toContain(`bridge ${BRIDGE} is in use with subnet ${NET.TINY_DOCKER_SUBNET}, not ${other}`);
      expect(networkResidue(BRIDGE).leases).toHaveLength(1); // only a's
    } finally {
      await stop(a.c);
    }
    expectNothingLeft();
  });

  it('without ip/iptables on PATH, --net bridge says what to install (125) and leaves nothing', () => {
    const bin = fs.mkdtempSync(`${root}-path-`);
    try {
      fs.symlinkSync(process.execPath, `${bin}/node`); // the launcher needs node, nothing else
      const r = cli(root, ['run', '--rm', '--rootfs', HOST_ROOTFS, '/bin/true'], { env: { ...env, PATH: bin } });
      expect(r.code).toBe(125);
      expect(r.stderr.split('\n')[0]).toBe('tiny-docker: --net bridge needs ip, which is not installed');
      expectNothingLeft();
    } finally {
      fs.rmSync(bin, { recursive: true, force: true });
    }
  });

  it('a command that cannot start (after the veth exists) leaves no veth, lease or rule', () => {
    const r = run(['-p', `${30000 + Math.floor(Math.random() * 20000)}:80`, '/no/such/command']);
    expect(r.code).toBe(127);
    expectNothingLeft();
  });

  it('a feature failing after the network is attached leaves nothing behind', async () => {
    const spec = specFor(HOST_ROOTFS, ['/bin/true'], { publish: ['127.0.0.1:31999:80'], env: NET });
    ids.push(spec.id);
    const failing: Feature = {
      name: 'fails-after-network',
      async attach() {
        throw new Error('forced failure after the veth was made');
      },
    };
    const seen: string[] = [];
    const spy: Feature = { name: 'spy', attach: async () => void seen.push(...networkResidue(BRIDGE, [spec.id]).links) };
    await expect(runContainer(spec, { store, features: [...featuresFor(spec), spy, failing] })).rejects.toThrow(/forced failure/);
    expect(seen).toContain(`tdk${spec.id.slice(0, 8)}`); // the veth did exist
    expectNothingLeft();
  });

  it('a run killed with SIGKILL leaves a lease that the next run reclaims', async () => {
    const port = 30000 + Math.floor(Math.random() * 20000);
    const victim = spawn(BIN, ['--root', root, 'run', '--rm', '--rootfs', HOST_ROOTFS, '-p', `${port}:80`, '/bin/sleep', '60'], { env, stdio: 'ignore' });
    const leases = () => networkResidue(BRIDGE).leases;
    const started = () => leases().some((ip) => fs.readFileSync(`${leaseDir(BRIDGE)}/${ip}`, 'utf8').includes('"container"'));
    for (let i = 0; i < 100 && !started(); i++) await new Promise((r) => setTimeout(r, 100));
    expect(started()).toBe(true);
    const killed = new Promise((r) => victim.once('exit', r));
    victim.kill('SIGKILL'); // no cleanup runs; PDEATHSIG takes the container down too
    await killed;
    const id = JSON.parse(fs.readFileSync(`${leaseDir(BRIDGE)}/${leases()[0]}`, 'utf8')).id as string;
    ids.push(id);
    for (let i = 0; i < 50 && fs.existsSync(`/proc/${JSON.parse(fs.readFileSync(`${leaseDir(BRIDGE)}/${leases()[0]}`, 'utf8')).container.pid}`); i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(leases()).toHaveLength(1);
    // The same host port is free again: the stale lease (and its DNAT rule) is reclaimed first.
    const r = run(['-p', `${port}:80`, '/bin/true']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    // Remove the killed run as a user would: rm runs every feature's cleanup
    // from the saved facts, so its cgroup goes too (deleting the state dir by
    // hand left one behind under the default parent on every test run).
    expect(cli(root, ['rm', '-f', id], { env })).toMatchObject({ code: 0 });
    expect(fs.existsSync(store.dir(id))).toBe(false);
    expectNothingLeft();
  });

  it('cleanup from the saved spec and facts works in another "process", and twice', async () => {
    const a = await background(['/bin/sleep', '60'], ['127.0.0.1:31998:80']);
    const state = store.read(a.c.id);
    const again = networkFactory.create(state.spec)!;
    const ctx = { spec: state.spec, dir: store.dir(a.c.id), rootfsPath: '', pid: null, facts: state.facts };
    await again.cleanup!(ctx);
    expect(networkResidue(BRIDGE, [a.c.id])).toEqual({ links: [], leases: [], rules: [] });
    await again.cleanup!(ctx);
    await stop(a.c); // its own cleanup runs a third time
    expectNothingLeft();
  });
});
