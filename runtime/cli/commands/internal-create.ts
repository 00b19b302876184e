/**
 * tiny-docker __create ID — internal: started by tiny-monitor for `run -d`
 * (see runtime/lifecycle/detach.ts). Not for humans.
 */
import * as fs from 'node:fs';
import { TinyDockerError } from '../../errors.ts';
import { MONITOR_FD, REPORT_FD, createDetached } from '../../lifecycle/detach.ts';
import { stateRoot } from '../../paths.ts';
import { Store } from '../../store.ts';

const oneLine = (s: string) => s.replace(/\s*\n\s*/g, ' ');

export default async function create(argv: string[]): Promise<number> {
  void argv;
  let line: string;
  try {
    line = await createDetached(new Store(stateRoot()));
  } catch (err) {
    const e = err instanceof TinyDockerError ? err : null;
    const msg = `error ${e?.exitCode ?? 125} ${oneLine((err as Error).message)}\n${e?.hint ? `hint ${oneLine(e.hint)}\n` : ''}`;
    try {
      fs.writeSync(REPORT_FD, msg);
    } catch {
      // run -d is gone: nobody to tell
    }
    return 1;
  }
  // Order matters: the monitor first (it must know whom to reap), then `run -d`.
  fs.writeSync(MONITOR_FD, line);
  fs.writeSync(REPORT_FD, 'ok\n');
  // Exit now, synchronously: if Node's event loop ran again, libuv could
  // reap the container's init before the monitor gets it.
  process.exit(0);
}
