/**
 * 200 containers in a row leave the host exactly as before: mounts, state
 * root, namespaces and open file descriptors.
 */
import { afterAll, expect, it } from 'vitest';
import * as fs from 'node:fs';
import { runContainer } from './container.ts';
import { Store } from './store.ts';
import { cli, hostNamespaces, makeSpec, mountCount, stateEntries, tempRoot } from '../test/helpers.ts';

const root = tempRoot('leaks');
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const openFds = () => fs.readdirSync('/proc/self/fd').length;

it('200 run --rm in a row leave mountinfo, the state root and the namespaces as before', async () => {
  const store = new Store(root);
  // Warm up once: the first run opens the long-lived namespace fds.
  await (await runContainer(makeSpec(['/bin/true']), { store, stdio: ['ignore', 'ignore', 'ignore'] })).wait();
  const before = { mounts: mountCount(), ns: hostNamespaces(), state: stateEntries(root), fds: openFds() };
  for (let i = 0; i < 200; i++) {
    const c = await runContainer(makeSpec(['/bin/true']), { store, stdio: ['ignore', 'ignore', 'ignore'] });
    expect((await c.wait()).exitCode).toBe(0);
  }
  expect(mountCount()).toBe(before.mounts);
  expect(hostNamespaces()).toEqual(before.ns);
  expect(stateEntries(root)).toEqual(before.state);
  expect(openFds()).toBe(before.fds);
}, 240_000);

it('run --rm through the CLI leaves nothing either', () => {
  const mounts = mountCount();
  for (let i = 0; i < 20; i++) expect(cli(root, ['run', '--rm', 'true']).code).toBe(0);
  expect(mountCount()).toBe(mounts);
  expect(stateEntries(root)).toEqual([]);
}, 120_000);
