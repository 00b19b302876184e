/**
 * The first half of a two-part tiny-init program: steps run as soon as the
 * container is placed (cgroup, network), ending with WAIT. tiny-init answers
 * "W" and blocks for the second half, which is the go signal (handshake in
 * container.ts).
 *
 * tiny-runc needs this because a "created" container must already be in all
 * its namespaces, as runc's is: runtime-tools reads /proc/PID/ns/* of a
 * created container. The user namespace (see runtime/userns.ts) and the
 * cgroup namespace (made after the cgroup placement) are entered by PID 1
 * itself, so PID 1 must run a few steps before `tiny-runc start`.
 */
import { ExecError, TinyDockerError } from '../errors.ts';
import { traced } from '../sys/trace.ts';
import { encodeProgram, onInitLines, parseInitLine, type InitStep } from './protocol.ts';

/** `child`: anything with tiny-init's stdio, fd 3 being the sync socket (a ChildProcess, or a process spawned another way). */
export function runCreateSteps(child: { readonly stdio: readonly unknown[] }, steps: readonly InitStep[]): Promise<void> {
  const sock = child.stdio[3] as unknown as NodeJS.ReadWriteStream;
  return new Promise((resolve, reject) => {
    const finish = (err: Error | null) => {
      // The socket stays in use: handshake() reads the go's answers from it.
      stop();
      sock.off('close', onClose);
      sock.off('error', onError);
      if (err) reject(err);
      else resolve();
    };
    const stop = onInitLines(sock, (line) => {
      const msg = parseInitLine(line);
      if (msg?.kind === 'wait') finish(null);
      else if (msg?.kind === 'error') finish(new ExecError(msg.message, 125));
    });
    const onClose = () => finish(new TinyDockerError('tiny-init died before the container was created'));
    const onError = () => undefined; // EPIPE if init died: reported by 'close'
    sock.on('close', onClose);
    sock.on('error', onError);
    const program = encodeProgram([...steps, { op: 'WAIT', args: [] }]);
    traced(
      () => `write(fd 3, ${steps.length} steps + WAIT)  (what a "created" container has done: ${steps.map((s) => s.op.toLowerCase()).join(', ')})`,
      () => sock.write(program),
      () => '= ok',
    );
  });
}
