/**
 * Container ids and names, as Docker has them: 64 hex digits, shown as 12,
 * matched by unique prefix; names checked against [a-zA-Z0-9][a-zA-Z0-9_.-]*
 * so that neither can contain "/" or start with "." (no "../" tricks).
 */
import * as fs from 'node:fs';
import { ConfigError } from './errors.ts';

/**
 * n random bytes from the kernel's CSPRNG, as crypto.randomBytes would give.
 * Read straight from /dev/urandom because loading node:crypto (about twenty
 * internal modules) costs a cold `tiny-docker run` 3–4 ms for one id.
 */
function randomBytes(n: number): Buffer {
  const buf = Buffer.alloc(n);
  const fd = fs.openSync('/dev/urandom', 'r');
  try {
    fs.readSync(fd, buf, 0, n, null);
  } finally {
    fs.closeSync(fd);
  }
  return buf;
}

export const NAME_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

export function newId(): string {
  return randomBytes(32).toString('hex');
}

export function shortId(id: string): string {
  return id.slice(0, 12);
}

export function checkName(name: string): string {
  if (!NAME_PATTERN.test(name) || name.length > 128) {
    throw new ConfigError(`invalid container name ${JSON.stringify(name)}: only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`, {
      hint: 'pick a name like web-1 or my_app',
    });
  }
  return name;
}

const ADJECTIVES = ['brave', 'calm', 'eager', 'fancy', 'gentle', 'happy', 'jolly', 'keen', 'lucid', 'merry', 'nifty', 'proud', 'quirky', 'sharp', 'tender', 'vivid', 'witty', 'zen'];
const SCIENTISTS = ['hopper', 'lovelace', 'turing', 'ritchie', 'thompson', 'torvalds', 'hamilton', 'knuth', 'liskov', 'dijkstra', 'kay', 'allen', 'cerf', 'lamport', 'pike', 'stallman'];

/** Docker-style generated names (adjective_scientist), for containers run without --name. */
export function randomName(): string {
  const r = randomBytes(4); // one read: two picks and a 4-hex suffix
  return `${ADJECTIVES[r[0]! % ADJECTIVES.length]}_${SCIENTISTS[r[1]! % SCIENTISTS.length]}_${r.subarray(2).toString('hex')}`;
}
