/**
 * The `alpine` rootfs: Alpine's minirootfs for this machine's arch,
 * downloaded, checked against its published sha256, and extracted with
 * progress. This is the one builder that needs the network.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { importTarball } from './import.ts';
import { silent, type Progress } from './common.ts';

export const ALPINE_VERSION = process.env.TINY_DOCKER_ALPINE_VERSION ?? '3.20.3';
export const ALPINE_MIRROR = process.env.TINY_DOCKER_ALPINE_MIRROR ?? 'https://dl-cdn.alpinelinux.org/alpine';

export function alpineArch(nodeArch = process.arch): string {
  if (nodeArch === 'x64') return 'x86_64';
  if (nodeArch === 'arm64') return 'aarch64';
  throw new Error(`no Alpine minirootfs for ${nodeArch}`);
}

export function alpineUrl(version = ALPINE_VERSION, arch = alpineArch()): string {
  const branch = version.split('.').slice(0, 2).join('.');
  return `${ALPINE_MIRROR}/v${branch}/releases/${arch}/alpine-minirootfs-${version}-${arch}.tar.gz`;
}

export async function buildAlpineRootfs(dest: string, progress: Progress = silent): Promise<string> {
  const url = alpineUrl();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tiny-alpine-'));
  const file = path.join(tmp, path.basename(url));
  try {
    const shaRes = await fetch(`${url}.sha256`).catch((e: Error) => {
      throw new Error(`cannot reach ${new URL(url).host} (${e.message}): this builder needs the network; npm run rootfs -- host works offline`);
    });
    if (!shaRes.ok) throw new Error(`GET ${url}.sha256: HTTP ${shaRes.status}`);
    const expected = (await shaRes.text()).trim().split(/\s+/)[0]!;
    const res = await fetch(url);
    if (!res.ok || !res.body) throw new Error(`GET ${url}: HTTP ${res.status}`);
    const total = Number(res.headers.get('content-length') ?? 0);
    const hash = crypto.createHash('sha256');
    let got = 0;
    const body = Readable.fromWeb(res.body as import('node:stream/web').ReadableStream);
    body.on('data', (chunk: Buffer) => {
      hash.update(chunk);
      got += chunk.length;
      progress(`downloading ${path.basename(url)}`, got, total || undefined);
    });
    await pipeline(body, fs.createWriteStream(file));
    const actual = hash.digest('hex');
    if (actual !== expected) throw new Error(`sha256 mismatch for ${path.basename(url)}: expected ${expected}, got ${actual}`);
    return await importTarball(file, dest, progress);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
