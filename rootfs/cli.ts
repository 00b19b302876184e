#!/usr/bin/env tsx
/**
 * npm run rootfs -- host|busybox|alpine|list
 *   host     offline, from this machine's binaries (the default that always works)
 *   busybox  offline, from the host's static busybox (apt-get install busybox-static)
 *   alpine   downloads Alpine's minirootfs (needs the network)
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import chalk from 'chalk';
import { imagesDir } from '../runtime/paths.ts';
import { listImages } from '../runtime/rootfs/images.ts';
import { progress, progressDone } from '../runtime/cli/output.ts';

const builders: Record<string, () => Promise<(dest: string, p: typeof progress) => Promise<string>>> = {
  host: async () => (await import('./host.ts')).buildHostRootfs,
  busybox: async () => (await import('./busybox.ts')).buildBusyboxRootfs,
  alpine: async () => (await import('./alpine.ts')).buildAlpineRootfs,
};

const kind = process.argv[2] ?? 'host';
if (kind === 'list') {
  for (const name of listImages()) console.log(name);
  process.exit(0);
}
const load = builders[kind];
if (!load) {
  console.error(`${chalk.red('rootfs:')} unknown kind ${JSON.stringify(kind)}; choose one of ${Object.keys(builders).join(', ')}`);
  process.exit(2);
}
const dest = path.join(imagesDir(), kind);
fs.mkdirSync(imagesDir(), { recursive: true });
const start = performance.now();
try {
  await (await load())(dest, progress);
  progressDone();
  console.log(`${chalk.green('✔')} ${kind} rootfs ready in ${dest} (${((performance.now() - start) / 1000).toFixed(1)} s)`);
  console.log(`  try: ./bin/tiny-docker run --rootfs ${kind} /bin/sh -c 'echo hello from $(hostname)'`);
} catch (err) {
  progressDone();
  console.error(`${chalk.red('rootfs:')} ${(err as Error).message}`);
  process.exit(1);
}
