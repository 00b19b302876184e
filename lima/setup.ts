/**
 * `tiny-docker setup lima` (also `npm run lima:setup`): everything a Mac
 * needs, from one command. Each step first looks whether its work is already
 * done, so a second run changes nothing and only reports "already …".
 *
 *   1 limactl      2 template     3 instance     4 start + wait    5 provision
 *   6 build        7 rootfs       8 shared path  9 hello-world
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { $ } from 'zx';
import { chalk } from '../runtime/cli/output.ts';
import { LimaCheckError, MESSAGES, ensureProbe, shq } from './checks.ts';
import { archBuild, guestArch, nodeArch, type ArchBuild, type LimaConfig } from './config.ts';
import { tinyDockerArgv } from './guest-command.ts';
import { findInstance, findOnPath, type LimaInstance } from './limactl.ts';
import { guestRun, type GuestRunResult } from './guest-run.ts';
import { renderTemplate, renderedTemplatePath } from './template.ts';

export interface StepResult {
  step: string;
  changed: boolean;
  detail: string;
  /** A verification step: it never changes anything, it reports "ok". */
  verify?: boolean;
}

export interface SetupOptions {
  /** How long to wait for the VM to report Running (ms). */
  startTimeoutMs?: number;
  print?: (line: string) => void;
}

class SetupError extends LimaCheckError {}

function must(r: GuestRunResult, what: string): string {
  if (r.code !== 0) {
    const tail = r.stderr.trim().split('\n').slice(-3).join(' | ');
    throw new SetupError('build', `${what} failed in the guest with exit code ${r.code}${tail ? `: ${tail}` : ''}`);
  }
  return r.stdout.trim();
}

export async function setupLima(cfg: LimaConfig, opts: SetupOptions = {}): Promise<StepResult[]> {
  const print = opts.print ?? ((l: string) => process.stderr.write(l + '\n'));
  const results: StepResult[] = [];
  const TOTAL = 9;
  const step = async (name: string, fn: () => Promise<Omit<StepResult, 'step'>>) => {
    print(`${chalk.cyan(`[${results.length + 1}/${TOTAL}]`)} ${name} …`);
    const start = performance.now();
    const r = { step: name, ...(await fn()) };
    const secs = ((performance.now() - start) / 1000).toFixed(1);
    const outcome = r.changed ? chalk.green('done') : r.verify ? chalk.green('ok') : chalk.dim('already done');
    print(`      ${outcome}: ${r.detail} ${chalk.dim(`(${secs} s)`)}`);
    results.push(r);
  };
  $.quiet = true;

  let limactl = '';
  await step('check limactl', async () => {
    const found = findOnPath(cfg.limactl);
    if (!found) throw new LimaCheckError('limactl', MESSAGES.limactl());
    limactl = found;
    const v = await $`${found} --version`;
    return { changed: false, verify: true, detail: v.stdout.trim() };
  });

  const yamlPath = renderedTemplatePath(cfg);
  await step('render the template', async () => {
    const text = renderTemplate(fs.readFileSync(path.join(cfg.projectDir, 'lima', 'tiny-docker.yaml'), 'utf8'), cfg.projectDir);
    const same = fs.existsSync(yamlPath) && fs.readFileSync(yamlPath, 'utf8') === text;
    if (!same) {
      fs.mkdirSync(path.dirname(yamlPath), { recursive: true });
      fs.writeFileSync(yamlPath, text);
    }
    return { changed: !same, detail: path.relative(cfg.projectDir, yamlPath) };
  });

  let instance: LimaInstance | null = null;
  await step(`create the instance "${cfg.instance}"`, async () => {
    instance = findInstance(limactl, cfg.instance);
    if (instance) return { changed: false, detail: `exists (${instance.dir})` };
    // --tty=false: no interactive "edit the template?" prompt
    await $`${limactl} create --name=${cfg.instance} --tty=false ${yamlPath}`;
    instance = findInstance(limactl, cfg.instance);
    if (!instance) throw new SetupError('instance', `limactl create did not create "${cfg.instance}"`);
    return { changed: true, detail: `created from ${path.relative(cfg.projectDir, yamlPath)}` };
  });

  await step('start it and wait until it is ready', async () => {
    let changed = false;
    if (instance!.status !== 'Running') {
      // limactl start returns when the VM is up AND the template's probes pass
      await $`${limactl} start --tty=false ${cfg.instance}`;
      changed = true;
    }
    const deadline = Date.now() + (opts.startTimeoutMs ?? 600_000);
    let now = findInstance(limactl, cfg.instance);
    while (now?.status !== 'Running') {
      if (Date.now() > deadline) throw new LimaCheckError('running', MESSAGES.running(cfg.instance, now?.status ?? 'missing'));
      await new Promise((r) => setTimeout(r, 2000));
      now = findInstance(limactl, cfg.instance);
    }
    instance = now;
    await $`${limactl} shell ${cfg.instance} true`; // ssh answers
    return { changed, detail: `${now.status}, ${now.arch}` };
  });

  const arch = guestArch(instance!.arch);
  if (!arch) throw new LimaCheckError('build', MESSAGES.arch(cfg.instance, instance!.arch));
  const build = archBuild(cfg, arch);

  await step('provision (node >= 20, cc, ip, iptables, busybox)', async () => {
    const probe = `${shq(cfg.guestNode)} -e 'process.exit(+process.versions.node.split(".")[0] >= 20 ? 0 : 1)' && command -v cc ip iptables busybox >/dev/null && ${shq(cfg.guestNode)} --version`;
    const first = await guestRun(cfg, build, ['/bin/sh', '-c', probe], { checks: [] });
    if (first.code === 0) return { changed: false, detail: `node ${first.stdout.trim()}` };
    // An instance made from an older template: run our provisioning script now.
    const { provisionScript } = await import('./template.ts');
    must(await guestRun(cfg, build, ['/bin/bash', '-c', provisionScript(cfg.projectDir)], { checks: [] }), 'provisioning');
    return { changed: true, detail: `node ${must(await guestRun(cfg, build, ['/bin/sh', '-c', probe], { checks: [] }), 'node --version')}` };
  });

  await step(`build for the guest arch (linux-${arch})`, () => buildForGuest(cfg, build));

  await step('prepare the rootfs on the guest disk', async () => {
    const images = path.join(cfg.guestDir, 'images');
    const marker = path.join(images, 'host', '.tiny-docker-image');
    const has = await guestRun(cfg, build, ['test', '-e', marker], { checks: [] });
    if (has.code === 0) return { changed: false, detail: path.dirname(marker) };
    const tsx = path.join(cfg.projectDir, 'node_modules', 'tsx', 'dist', 'cli.mjs');
    must(await guestRun(cfg, build, [cfg.guestNode, tsx, path.join(cfg.projectDir, 'rootfs', 'cli.ts'), 'host']), 'building the host rootfs');
    return { changed: true, detail: path.dirname(marker) };
  });

  await step('validate the shared path (host → guest → host)', async () => {
    const token = ensureProbe(cfg.projectDir); // written on the host …
    const back = path.join(cfg.projectDir, '.tiny-docker', `lima-probe.from-guest`);
    // … read in the guest (the shared check), and answered through the same path
    must(await guestRun(cfg, build, ['/bin/sh', '-c', `printf %s "$TINY_DOCKER_PROBE" > ${shq(back)}`], { checks: ['shared'] }), 'the shared-path probe');
    const answer = fs.readFileSync(back, 'utf8');
    fs.rmSync(back, { force: true });
    if (answer !== token) throw new LimaCheckError('shared', MESSAGES.shared(cfg.projectDir, cfg.instance));
    return { changed: false, verify: true, detail: `${cfg.projectDir} is shared, writable, at the same path` };
  });

  await step('run a hello-world container', async () => {
    const r = await guestRun(cfg, build, tinyDockerArgv(cfg, ['run', '--rm', '/bin/sh', '-c', 'echo hello from $(hostname) in Lima']));
    const out = must(r, 'the hello-world container');
    return { changed: false, verify: true, detail: out.split('\n').pop() ?? '' };
  });
  return results;
}

/**
 * The Linux build the guest runs (see lima/README.md, "Per-arch builds"):
 * the arch-neutral bundle (dist/, built on the host), a guest-local
 * `npm ci` for native modules (koffi, esbuild, rollup) bind-mounted over
 * <project>/node_modules in the guest, and tiny-init compiled in the guest.
 */
async function buildForGuest(cfg: LimaConfig, build: ArchBuild): Promise<Omit<StepResult, 'step'>> {
  const done: string[] = [];
  const kept: string[] = [];
  if (!fs.existsSync(path.join(cfg.projectDir, 'dist', 'tiny-docker.mjs'))) {
    await $`${process.execPath} ${path.join(cfg.projectDir, 'scripts', 'build.mjs')} --quiet`;
    done.push('bundle');
  } else kept.push('bundle');

  const P = shq(cfg.projectDir);
  const G = shq(path.dirname(build.guestNodeModules));
  const koffi = `@koromix/koffi-linux-${nodeArch(build.arch)}`;
  // Prints one word: native (already a Linux node_modules), current, or installed.
  const script = [
    'set -e',
    `if [ -e ${P}/node_modules/${koffi} ] && ! mountpoint -q ${P}/node_modules; then echo native; exit 0; fi`,
    `if [ -e ${G}/node_modules/${koffi} ] && sha256sum ${P}/package-lock.json | cmp -s - ${G}/.lock-sha256; then state=current; else`,
    `  ! mountpoint -q ${P}/node_modules || umount ${P}/node_modules`, // npm ci replaces the directory the mount points to
    `  mkdir -p ${G} && cp ${P}/package.json ${P}/package-lock.json ${G}/`,
    `  (cd ${G} && npm ci --ignore-scripts --prefer-offline --no-audit --no-fund >&2)`,
    `  sha256sum ${P}/package-lock.json > ${G}/.lock-sha256; state=installed`,
    'fi',
    `if ! mountpoint -q ${P}/node_modules; then`,
    `  mkdir -p ${P}/node_modules && mount --bind ${G}/node_modules ${P}/node_modules`,
    '  if [ $state = current ]; then state=mounted; fi',
    'fi',
    'echo $state',
  ].join('\n');
  const npmState = must(await guestRun(cfg, build, ['/bin/sh', '-c', script], { checks: ['shared'] }), 'the guest-local npm ci');
  (npmState.endsWith('native') || npmState.endsWith('current') ? kept : done).push(`node_modules (${npmState}, ${koffi})`);

  const src = path.join(cfg.projectDir, 'runtime', 'init', 'tiny-init.c');
  const stale = !fs.existsSync(build.init) || fs.statSync(build.init).mtimeMs < fs.statSync(src).mtimeMs;
  if (stale) {
    const { initBuildArgs } = await import('../runtime/init/binary.ts');
    const tmp = `${build.init}.tmp`;
    // -static -Os: see runtime/init/binary.ts; compiled by the guest's own cc, for its arch
    const cc = ['cc', ...initBuildArgs(tmp)].map(shq).join(' ');
    must(await guestRun(cfg, build, ['/bin/sh', '-c', `mkdir -p ${shq(path.dirname(build.init))} && ${cc} && mv ${shq(tmp)} ${shq(build.init)}`], { checks: ['shared'] }), 'compiling tiny-init');
    done.push(`tiny-init (${path.relative(cfg.projectDir, build.init)})`);
  } else kept.push(`tiny-init (${path.relative(cfg.projectDir, build.init)})`);
  return { changed: done.length > 0, detail: [...done.map((d) => `built ${d}`), ...kept.map((k) => `kept ${k}`)].join('; ') };
}
