/**
 * A reader that goes away (`run --trace … 2>&1 | head`) makes the next write
 * fail with EPIPE. Unhandled, that error would end the process half-way
 * through the run and leave the container's cgroup and state behind: drop
 * the rest of the output instead, and let the run clean up.
 */
export function ignoreClosedReader(stream: NodeJS.WriteStream): void {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
  });
}
