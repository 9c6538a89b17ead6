// Draining a service without dropping anyone: while a service drains (the manager stops or restarts it)
// no route picks it, its clients are told (`management_notification`, with a countdown where one is set)
// and held between turns; its agent server then lets running turns finish and closes its proxied
// connections with 1001 without ending their sessions, and each client fails over with its sessions
// (failover.ts), to another instance or, for a restart, to the same service once it runs again.

/** The services draining now, and the waiters a change of them (or of the candidates) wakes. */
export class Drains {
  private readonly services = new Set<string>();
  private waiters = new Set<() => void>();

  get size(): number {
    return this.services.size;
  }

  has(serviceId: string): boolean {
    return this.services.has(serviceId);
  }

  add(serviceId: string): void {
    this.services.add(serviceId);
    this.wake();
  }

  delete(serviceId: string): void {
    this.services.delete(serviceId);
    this.wake();
  }

  /** Wakes every waiter (the candidates changed). */
  wake(): void {
    const waiters = this.waiters;
    this.waiters = new Set();
    for (const wake of waiters) wake();
  }

  /** Resolves at the next change, after `ms`, or when `signal` aborts. */
  changed(ms: number, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      signal.addEventListener('abort', done, { once: true });
      this.waiters.add(done);
    });
  }
}
