#!/usr/bin/env tsx
/**
 * npm run build:init [-- --target linux-arm64]
 * Builds tiny-init and tiny-monitor for this machine's arch (or checks a cross compiler for
 * another). Inside Lima this runs natively in the guest.
 */
import { $ } from 'zx';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { goArch } from '../sys/numbers.ts';
import { binaryBuildArgs, binaryPath, type HelperBinary } from './binary.ts';

const targetArg = process.argv.indexOf('--target');
const target = targetArg > 0 ? process.argv[targetArg + 1]! : `linux-${goArch()}`;
const arch = target.replace(/^linux-/, '') as 'amd64' | 'arm64';
const native = arch === goArch();
const cc = process.env.CC ?? (native ? 'cc' : arch === 'arm64' ? 'aarch64-linux-gnu-gcc' : 'x86_64-linux-gnu-gcc');
$.verbose = false;
for (const name of ['tiny-init', 'tiny-monitor'] as HelperBinary[]) {
  const out = binaryPath(name, arch);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  try {
    await $`${cc} ${binaryBuildArgs(name, out)}`;
  } catch (err) {
    console.error(`build:init: ${cc} failed to build ${name} for ${target}.`);
    console.error(native ? 'Install gcc and libc6-dev (apt-get install -y gcc libc6-dev).' : `Install a cross compiler (${cc}) or build inside a ${target} machine.`);
    console.error(String((err as { stderr?: string }).stderr ?? err).trim());
    process.exit(1);
  }
  const { size } = fs.statSync(out);
  console.log(`built ${path.relative(process.cwd(), out)} (${target}, static, ${(size / 1024).toFixed(0)} KiB)`);
}
