/**
 * Recognising a starter's stub. The runtime throws LabNotImplementedError
 * (runtime/lab-stub.ts), the CLI prints its message on stderr, and the lab
 * runner turns it into "not implemented yet" instead of a confusing failure.
 */
export const NOT_IMPLEMENTED_RE = /lab (\d\d-[a-z0-9-]+): not implemented yet[^\n]*/;

export class NotImplemented extends Error {
  override name = 'NotImplemented';
  constructor(readonly lab: string, message: string) {
    super(message);
  }
}

/** Throws NotImplemented when `text` carries the stub's message. */
export function detectNotImplemented(text: string): void {
  const m = NOT_IMPLEMENTED_RE.exec(text);
  if (m) throw new NotImplemented(m[1]!, m[0].trim());
}
