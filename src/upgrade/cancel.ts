/** Ctrl-C during an upgrade: the running compose command is stopped, and the upgrade rolls back. */
import { ComposeRunner } from '../../compose/runner.js';
import { CancelledError } from '../errors.js';

export class Cancel {
  requested = false;
  private runners = new Set<ComposeRunner>();

  track<T extends ComposeRunner | undefined>(r: T): T {
    if (r) this.runners.add(r);
    return r;
  }

  request(): void {
    this.requested = true;
    for (const r of this.runners) void r.cancel();
  }

  throwIfRequested(): void {
    if (this.requested) throw new CancelledError();
  }
}
