import { runContainer } from './runtime/container.ts';
import { Store } from './runtime/store.ts';
import { collect, makeSpec, tempRoot } from './test/helpers.ts';
const store = new Store(tempRoot('dbg'));
const c = await runContainer(makeSpec(['/bin/sh', '-c', 'echo $$']), { store, stdio: ['ignore', 'pipe', 'pipe'] });
const [o, e, s] = await Promise.all([collect(c.stdout), collect(c.stderr), c.wait()]);
console.log(JSON.stringify({ o, e, s }));
