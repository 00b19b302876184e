#!/usr/bin/env node
// npm run build: bundle the CLI with esbuild into dist/ (code-split, so each
// command is its own chunk and start-up loads only what it needs), and build
// tiny-init for this machine when a C compiler is present.
import { build } from 'esbuild';
import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const quiet = process.argv.includes('--quiet');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const start = performance.now();
const BANNER = "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);";
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
  banner: { js: BANNER },
  logLevel: quiet ? 'error' : 'info',
});
// esbuild puts the banner on every chunk, but only chunks with CommonJS code
// in them (zx, yaml) call require(). createRequire(import.meta.url) costs a
// URL → path conversion per chunk, and `run` loads about 20 chunks: drop it
// where nothing uses it (about 3 ms of every start-up).
for (const dir of [join(root, 'dist'), join(root, 'dist/chunks')]) {
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.mjs'))) {
    const file = join(dir, name);
    const code = readFileSync(file, 'utf8');
    if (code.startsWith(BANNER) && !/\brequire\b/.test(code.slice(BANNER.length))) writeFileSync(file, code.slice(BANNER.length).replace(/^\n/, ''));
  }
}
if (!quiet) console.log(`bundled dist/ in ${(performance.now() - start).toFixed(0)} ms`);
