/**
 * Work that outlives the request that started it (reading a large upload, applying an import).
 * Whatever a job achieves, and how far it got, it records in the database, so any instance can
 * report on it; this runner only keeps the process from closing under a running job.
 */
export class JobRunner {
  readonly #running = new Set<Promise<void>>();

  constructor(private readonly onError: (err: unknown, label: string) => void) {}

  run(label: string, job: () => Promise<unknown>): void {
    const p: Promise<void> = job()
      .then(() => undefined)
      .catch((err: unknown) => this.onError(err, label))
      .finally(() => this.#running.delete(p));
    this.#running.add(p);
  }

  get size(): number {
    return this.#running.size;
  }

  /** Resolves once every job started so far has finished. */
  async drain(): Promise<void> {
    while (this.#running.size > 0) await Promise.allSettled([...this.#running]);
  }
}
