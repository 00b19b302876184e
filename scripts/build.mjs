#!/usr/bin/env node
// npm run build: bundle the CLI with esbuild into dist/ (code-split, so each
// command is its own chunk and start-up loads only what it needs), and build
// tiny-init for this machine when a C compiler is present.
import { build } from 'esbuild';
import { readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const quiet = process.argv.includes('--quiet');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const start = performance.now();
rmSync(join(root, 'dist'), { recursive: true, force: true });
await build({
  entryPoints: { 'tiny-docker': join(root, 'runtime/cli/main.ts'), 'tiny-runc': join(root, 'runtime/oci/cli/main.ts') },
  outdir: join(root, 'dist'),
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  outExtension: { '.js': '.mjs' },
  chunkNames: 'chunks/[name]-[hash]',
  // koffi is a native module; zx and tar are only used by the rootfs builders
  external: ['koffi'],
  define: { TINY_DOCKER_VERSION: JSON.stringify(pkg.version) },
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  logLevel: quiet ? 'error' : 'info',
});
if (!quiet) console.log(`bundled dist/ in ${(performance.now() - start).toFixed(0)} ms`);
