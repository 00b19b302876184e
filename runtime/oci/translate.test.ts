import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.ts';
import { MS } from '../sys/flags.ts';
import { defaultConfig } from './default-config.ts';
import type { OciConfig } from './config.ts';
import { internalId, translate, type TranslateInput } from './translate.ts';
import { parseMountOptions } from './mount-options.ts';
import { createStepsFor, stepsFor } from './feature.ts';

const base = (over: (c: OciConfig) => void = () => undefined, extra: Partial<TranslateInput> = {}) => {
  const config = defaultConfig();
  over(config);
  return translate({ config, bundle: '/b', id: 'web-1', hostHostname: 'host', lastCap: 40, runtimeCaps: String((1n << 41n) - 1n), ...extra });
};

/** A user namespace mapping container ids 0-65535 to host ids from 100000. */
const userns = (c: OciConfig, uids = [{ containerID: 0, hostID: 100000, size: 65536 }]) => {
  c.linux!.namespaces!.push({ type: 'user' });
  c.linux!.uidMappings = uids;
  c.linux!.gidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
};

describe('config.json translation', () => {
  it('turns the default config into a spec: bundle-relative rootfs, exact env, namespaces, read-only root', () => {
    const { spec, oci } = base();
    expect(spec.rootfs).toBe('/b/rootfs');
    expect(spec.rootfsMode).toBe('bind');
    expect(spec.readOnly).toBe(true);
    expect(spec.command).toEqual(['sh']);
    expect(spec.env).toEqual(['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'TERM=xterm']);
    expect(spec.namespaces).toEqual({ mnt: true, uts: true, ipc: true, net: true, pid: true });
    expect(spec.hostname).toBe('runc');
    expect(spec.name).toBe('web-1');
    expect(spec.id).toBe(internalId('web-1'));
    expect(spec.id).toMatch(/^[0-9a-f]{64}$/);
    expect(oci.cgroupNs).toBe(true);
    expect(oci.noNewPrivileges).toBe(true);
  });

  it('leaves the mounts the core makes to the core, and re-binds those after /proc in config order', () => {
    const { oci } = base((c) => c.mounts!.push({ destination: '/tmp', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'size=1m'] }));
    expect(oci.mounts).toEqual([{ destination: '/tmp', type: 'tmpfs', source: 'tmpfs', flags: MS.MS_NOSUID, propagation: 0, data: 'size=1m' }]);
    // /dev brings /dev/pts, /dev/shm, /dev/mqueue along (MS_REC); cgroup is not mounted (warned).
    expect(oci.rebind.map((r) => r.destination)).toEqual(['/dev', '/sys', '/tmp']);
  });

  it('resolves bind sources against the bundle', () => {
    const { oci } = base((c) => c.mounts!.push({ destination: '/data', source: 'data', options: ['rbind', 'ro'] }));
    expect(oci.mounts.at(-1)).toMatchObject({ destination: '/data', type: 'bind', source: '/b/data', flags: MS.MS_BIND | MS.MS_REC | MS.MS_RDONLY });
  });

  it('turns capabilities, rlimits, user and sysctls into init-step values', () => {
    const { oci } = base((c) => {
      c.process!.user = { uid: 1000, gid: 100, additionalGids: [5, 6] };
      c.process!.rlimits = [{ type: 'RLIMIT_NPROC', soft: 10, hard: 20 }];
      c.linux!.sysctl = { 'net.ipv4.ip_forward': '1' };
    });
    // CAP_KILL=5, CAP_NET_BIND_SERVICE=10, CAP_AUDIT_WRITE=29
    expect(oci.caps!.bounding).toBe(String((1n << 5n) | (1n << 10n) | (1n << 29n)));
    expect(oci.caps!.inheritable).toBe('0');
    expect(oci.rlimits).toEqual([{ resource: 6, soft: '10', hard: '20' }]);
    expect(oci.user).toEqual({ uid: 1000, gid: 100, additionalGids: [5, 6], umask: null });
    const mounts = stepsFor(oci, 'mounts');
    expect(mounts).toContainEqual({ op: 'WRITE', args: ['/proc/sys/net/ipv4/ip_forward', '1'] });
    const final = stepsFor(oci, 'final').map((s) => s.op);
    // bounding set while root, then ids, then the configured sets, then no_new_privs
    expect(final).toEqual(['RLIMIT', 'CAPS', 'IDS', 'CAPS', 'NNP']);
  });

  it('joins namespaces given by path, and still creates the others', () => {
    const { spec, oci } = base((c) => {
      c.hostname = undefined;
      c.linux!.namespaces = [{ type: 'mount' }, { type: 'pid' }, { type: 'network', path: '/var/run/netns/x' }];
    });
    expect(spec.namespaces).toMatchObject({ mnt: true, pid: true, net: true, uts: false, ipc: false });
    expect(oci.joins).toEqual([{ kind: 'net', path: '/var/run/netns/x' }]);
  });

  it('joins a mount namespace by path and still uses pivot_root', () => {
    const { spec, oci } = base((c) => {
      c.linux!.namespaces = [{ type: 'mount', path: '/proc/1234/ns/mnt' }, { type: 'uts' }];
    });
    expect(spec.namespaces.mnt).toBe(true);
    expect(spec.isolation).toBe('pivot_root');
    expect(oci.joins).toEqual([{ kind: 'mnt', path: '/proc/1234/ns/mnt' }]);
  });

  it('keeps a user namespace with its mappings, and joins it before the container is created', () => {
    const { spec, oci } = base((c) => userns(c));
    expect(oci.userns).toEqual({ uidMappings: [{ containerID: 0, hostID: 100000, size: 65536 }], gidMappings: [{ containerID: 0, hostID: 100000, size: 65536 }] });
    // The other namespaces are still "new": the window enters the user namespace's own.
    expect(spec.namespaces).toMatchObject({ mnt: true, pid: true });
    const steps = createStepsFor(oci);
    // rlimits need the host's CAP_SYS_RESOURCE: before the join, not in the final stage
    expect(steps.host.map((s) => s.op)).toEqual(['RLIMIT']);
    expect(stepsFor(oci, 'final').map((s) => s.op)).not.toContain('RLIMIT');
  });

  it('runs a container without a mount namespace with chroot, and says so', () => {
    const { spec, warnings } = base((c) => {
      c.hostname = undefined;
      c.linux!.namespaces = [];
    });
    expect(spec.isolation).toBe('chroot');
    expect(spec.namespaces).toEqual({ mnt: false, uts: false, ipc: false, net: false, pid: false });
    expect(warnings.join('\n')).toMatch(/no mount namespace/);
  });

  it('warns about what it does not apply instead of dropping it silently', () => {
    const { warnings } = base((c) => {
      c.hooks = { startContainer: [{ path: '/bin/true' }] };
      c.domainname = 'example.com';
    });
    expect(warnings.join('\n')).toMatch(/startContainer hooks are not run/);
    expect(warnings.join('\n')).toMatch(/domainname is ignored/);
    expect(warnings.join('\n')).toMatch(/mount of cgroup at \/sys\/fs\/cgroup is ignored/);
    expect(warnings.join('\n')).toMatch(/linux.resources are ignored/);
  });

  it.each([
    ['a time namespace', (c: OciConfig) => c.linux!.namespaces!.push({ type: 'time' }), /time namespaces are not supported/],
    ['a terminal', (c: OciConfig) => (c.process!.terminal = true), /process.terminal is true/],
    ['an AppArmor profile', (c: OciConfig) => (c.process!.apparmorProfile = 'x'), /no AppArmor support/],
    ['an unknown capability', (c: OciConfig) => c.process!.capabilities!.bounding!.push('CAP_FLY'), /unknown capability "CAP_FLY"/],
    ['an unknown rlimit', (c: OciConfig) => c.process!.rlimits!.push({ type: 'RLIMIT_X', soft: 1, hard: 1 }), /unknown rlimit type "RLIMIT_X"/],
    ['a relative cwd', (c: OciConfig) => (c.process!.cwd = 'tmp'), /must be an absolute path/],
    ['empty args', (c: OciConfig) => (c.process!.args = []), /process.args is empty/],
    ['uid mappings without a user namespace', (c: OciConfig) => (c.linux!.uidMappings = [{ containerID: 0, hostID: 1000, size: 1 }]), /no user namespace \(add \{"type": "user"\}\)/],
    ['a user namespace without mappings', (c: OciConfig) => c.linux!.namespaces!.push({ type: 'user' }), /a user namespace needs linux.uidMappings/],
    ['a user namespace that does not map root', (c: OciConfig) => userns(c, [{ containerID: 1, hostID: 100000, size: 10 }]), /uid 0 \(the container's root\) is not mapped/],
    ['overlapping mappings', (c: OciConfig) => userns(c, [{ containerID: 0, hostID: 100000, size: 10 }, { containerID: 5, hostID: 200000, size: 10 }]), /overlapping containerID ranges/],
    ['a process uid outside the mappings', (c: OciConfig) => (userns(c), (c.process!.user = { uid: 70000, gid: 0 })), /process.user.uid 70000 is not mapped/],
    ['a user namespace joined by path', (c: OciConfig) => (userns(c), c.linux!.namespaces!.push({ type: 'user', path: '/proc/1/ns/user' })), /joining a user namespace by path/],
  ])('refuses %s with a clear ConfigError', (_what, change, message) => {
    expect(() => base(change)).toThrow(ConfigError);
    expect(() => base(change)).toThrow(message);
  });

  it('refuses an id that is not a safe name', () => {
    expect(() => base(() => undefined, { id: '../etc' })).toThrow(/invalid container id/);
  });

  it('uses the cgroups and seccomp translators when the build has them', () => {
    const { spec, oci, warnings } = base(
      (c) => {
        c.linux!.resources = { memory: { limit: 64 << 20 } };
        c.linux!.seccomp = { defaultAction: 'SCMP_ACT_ALLOW' };
      },
      { extras: { cgroups: (r, p) => ({ config: { path: p, limits: { memory: r.memory!.limit! } }, warnings: [] }), seccomp: () => ({ program: Buffer.from([1, 2]).toString('base64'), warnings: [] }) } },
    );
    expect(oci.cgroup).toEqual({ path: 'tiny-runc/web-1', limits: { memory: 64 << 20 } });
    void spec;
    expect(oci.seccomp).toBe('AQI=');
    expect(warnings.join('\n')).not.toMatch(/resources/);
  });
});

describe('mount options', () => {
  it('sets and clears flags, splits propagation and file-system data', () => {
    expect(parseMountOptions(['nosuid', 'ro', 'rw', 'rprivate', 'mode=755', 'size=1m'])).toEqual({
      flags: MS.MS_NOSUID,
      propagation: MS.MS_PRIVATE | MS.MS_REC,
      data: 'mode=755,size=1m',
    });
  });
});
