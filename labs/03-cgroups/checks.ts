/**
 * Lab 03 — cgroups: how much a process may use. Namespaces decide what a
 * container sees; cgroups decide how much memory, how many processes and
 * how much CPU it gets.
 *
 * Inside the container, with its own cgroup namespace, the files read:
 *   v2: /sys/fs/cgroup/memory.max                    = 134217728
 *   v1: /sys/fs/cgroup/memory/memory.limit_in_bytes  = 134217728
 */
import { defineLab, expectExit, expectMatch, fail, type CheckContext } from '../../harness/lab-api.ts';

/** Print the first of these files that exists (v2 name first, then v1). */
function catFirst(files: string[]): string {
  return `for f in ${files.join(' ')}; do if [ -r "$f" ]; then echo "$f"; cat "$f"; exit 0; fi; done; echo 'no cgroup file found: is /sys/fs/cgroup mounted in the container?' >&2; exit 3`;
}

async function readLimit(t: CheckContext, flags: string[], files: string[]): Promise<{ file: string; value: string }> {
  const r = await t.sh(catFirst(files), flags);
  expectExit(r, 0);
  const [file = '', ...rest] = r.stdout.trim().split('\n');
  return { file, value: rest.join('\n').trim() };
}

const MEMORY = ['/sys/fs/cgroup/memory.max', '/sys/fs/cgroup/memory/memory.limit_in_bytes', '/sys/fs/cgroup/memory.limit_in_bytes'];
const PIDS = ['/sys/fs/cgroup/pids.max', '/sys/fs/cgroup/pids/pids.max'];
const CPU_V2 = ['/sys/fs/cgroup/cpu.max'];
const CPU_V1 = ['/sys/fs/cgroup/cpu/cpu.cfs_quota_us', '/sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us', '/sys/fs/cgroup/cpu.cfs_quota_us'];

export default defineLab({
  id: '03-cgroups',
  title: 'Cgroups: how much a container may use',
  idea: 'A cgroup is a directory; writing a number into a file in it limits every process placed there, before its first instruction.',
  requires: [{ runFlag: 'memory' }, { feature: 'cgroups' }],
  checks: [
    {
      id: 'memory-max',
      title: '--memory 128m: memory.max = 134217728 inside the container',
      runs: 'tiny-docker run --memory 128m cat /sys/fs/cgroup/memory.max   (v1: memory/memory.limit_in_bytes)',
      expect: '134217728 (128 × 1024 × 1024)',
      hint: 'parse "128m" to bytes, write memory.max (v2) or memory.limit_in_bytes (v1) in the container’s cgroup, and mount the cgroup fs inside its cgroup namespace',
      async verify(t) {
        const { file, value } = await readLimit(t, ['--memory', '128m'], MEMORY);
        if (value !== '134217728') fail(`${file} is ${JSON.stringify(value)}, expected 134217728`);
      },
    },
    {
      id: 'own-root',
      title: 'the cgroup namespace: the container’s cgroup is its root',
      runs: 'tiny-docker run --memory 128m cat /proc/self/cgroup',
      expect: 'every line ends in ":/"',
      hint: 'tiny-init unshares CLONE_NEWCGROUP after the parent placed it in its cgroup (init step "early")',
      async verify(t) {
        const r = await t.cli(['run', '--rootfs', t.image, '--memory', '128m', 'cat', '/proc/self/cgroup']);
        expectExit(r, 0);
        const bad = r.stdout.trim().split('\n').filter((l) => !/:\/$/.test(l));
        if (bad.length) fail(`these lines show a path outside the container’s own cgroup: ${bad.slice(0, 3).join(' ')}`);
      },
    },
    {
      id: 'memory-bad-input',
      title: '--memory 12xb is refused with one line and exit 125',
      runs: 'tiny-docker run --memory 12xb true',
      expect: 'exit 125 and an error naming --memory',
      hint: 'validate before creating anything: sizes are a number with b, k, m or g (any case), as Docker takes them',
      async verify(t) {
        const r = await t.cli(['run', '--rootfs', t.image, '--memory', '12xb', 'true']);
        expectExit(r, 125);
        if (!/memory/i.test(r.stderr)) fail(`the error does not mention --memory: ${JSON.stringify(r.stderr.trim())}`);
      },
    },
    {
      id: 'oom',
      title: 'out of memory: 64 MiB under --memory 16m is killed, exit 137',
      runs: 'tiny-docker run --memory 16m dd if=/dev/zero of=/dev/null bs=64M count=1',
      expect: 'exit status 137 (SIGKILL from the OOM killer)',
      hint: 'dd allocates a 64 MiB buffer; the kernel OOM-kills it in its cgroup; report 128 + 9. No swap may hide it (memory.swap.max / memsw).',
      timeoutMs: 45_000,
      async verify(t) {
        expectExit(await t.cli(['run', '--rootfs', t.image, '--memory', '16m', 'dd', 'if=/dev/zero', 'of=/dev/null', 'bs=64M', 'count=1']), 137);
      },
    },
    {
      id: 'oom-reported',
      title: 'inspect shows OOMKilled: true after an OOM kill',
      runs: 'tiny-docker run --name lab03-oom --memory 16m dd …; tiny-docker inspect lab03-oom',
      expect: '"OOMKilled": true',
      hint: 'read memory.events oom_kill (v2) or memory.oom_control / memory.failcnt (v1) in afterExit, and save it in the state',
      requires: [{ command: 'inspect' }],
      timeoutMs: 45_000,
      async verify(t) {
        t.track('lab03-oom');
        await t.cli(['run', '--name', 'lab03-oom', '--rootfs', t.image, '--memory', '16m', 'dd', 'if=/dev/zero', 'of=/dev/null', 'bs=64M', 'count=1']);
        const r = await t.cli(['inspect', 'lab03-oom']);
        expectMatch(r, /"?OOMKilled"?\s*:\s*true/i, 'OOMKilled: true');
      },
    },
    {
      id: 'pids-max',
      title: '--pids-limit 10: pids.max = 10 inside',
      runs: 'tiny-docker run --pids-limit 10 cat /sys/fs/cgroup/pids.max',
      expect: '10',
      hint: 'the pids controller: pids.max (same name on v1 and v2)',
      requires: [{ runFlag: 'pids-limit' }],
      async verify(t) {
        const { file, value } = await readLimit(t, ['--pids-limit', '10'], PIDS);
        if (value !== '10') fail(`${file} is ${JSON.stringify(value)}, expected 10`);
      },
    },
    {
      id: 'fork-bomb',
      title: '--pids-limit 10 stops a fork loop (and the host is fine)',
      runs: "tiny-docker run --pids-limit 10 sh -c 'for i in $(seq 30); do sleep 5 & done; wait'",
      expect: 'fork fails inside ("Resource temporarily unavailable"), the container ends',
      hint: 'fork() returns EAGAIN once pids.current reaches pids.max; the container must be in its cgroup before the go signal',
      requires: [{ runFlag: 'pids-limit' }],
      async verify(t) {
        const r = await t.sh('for i in $(seq 30); do sleep 3 & done; wait', ['--pids-limit', '10']);
        if (!/fork|resource temporarily unavailable|cannot create/i.test(r.stderr)) fail(`30 background processes all started: no fork failed (stderr ${JSON.stringify(r.stderr.trim().slice(0, 120))})`);
      },
    },
    {
      id: 'cpu-quota',
      title: '--cpus 0.5: a quota of 50000 µs per 100000 µs period',
      runs: 'tiny-docker run --cpus 0.5 cat /sys/fs/cgroup/cpu.max   (v1: cpu/cpu.cfs_quota_us)',
      expect: 'v2 "50000 100000"; v1 cpu.cfs_quota_us 50000',
      hint: 'cpus × period: 0.5 × 100000 = 50000 µs of CPU time per 100 ms',
      requires: [{ runFlag: 'cpus' }],
      async verify(t) {
        const { file, value } = await readLimit(t, ['--cpus', '0.5'], [...CPU_V2, ...CPU_V1]);
        const ok = file.endsWith('cpu.max') ? value === '50000 100000' : value === '50000';
        if (!ok) fail(`${file} is ${JSON.stringify(value)}, expected ${file.endsWith('cpu.max') ? '"50000 100000"' : '50000'}`);
      },
    },
  ],
});
