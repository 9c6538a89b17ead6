/**
 * Runs `task` every `ms` without keeping the process alive; a run never overlaps the previous one, and
 * stop() waits for the run under way (so that nothing it writes reaches a store closed after it).
 */
export class PeriodicTask {
  readonly #timer: NodeJS.Timeout;
  #running: Promise<void> | undefined;

  constructor(ms: number, task: () => Promise<void>) {
    this.#timer = setInterval(() => {
      this.#running ??= task().finally(() => {
        this.#running = undefined;
      });
    }, ms);
    this.#timer.unref();
  }

  /** No further runs; resolves once the one under way (if any) has finished. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#running;
  }
}
