import { randomUUID } from 'node:crypto';
import pg from 'pg';

/**
 * Content writes of other instances on the same PostgreSQL, through LISTEN/NOTIFY, so that each
 * instance's caches of public pages drop what another instance's write made stale within moments
 * instead of after their TTL (docs/decisions/scaling.md).
 *
 * - Announcing: after a local write becomes visible, `select pg_notify(...)` through the pool.
 *   Bursts coalesce: at most one NOTIFY in flight and one more queued behind it, which covers
 *   every write made visible after the one in flight was sent.
 * - Hearing: one dedicated connection (never a pool client: LISTEN belongs to a session, and a
 *   pooled session goes back to the pool) runs `LISTEN loften_content`. It reconnects on its own
 *   after PostgreSQL restarts, and since notifications sent meanwhile are lost, a reconnect
 *   counts as a change: the caches are dropped.
 * - An instance ignores its own notifications (the payload is its id): its caches were told
 *   synchronously when the write became visible.
 */
export const CONTENT_CHANNEL = 'loften_content';

/** Shown in pg_stat_activity, so an operator (and the tests) can see that an instance listens. */
export const LISTENER_APPLICATION_NAME = 'loften-listen';

const RETRY_MIN_MS = 250;
const RETRY_MAX_MS = 5_000;

export class PgContentChannel {
  /** This process's id in the notifications' payload. */
  readonly id = randomUUID();
  #client: pg.Client | null = null;
  #started: Promise<void> | null = null;
  #closed = false;
  #retryTimer: NodeJS.Timeout | null = null;
  #retryMs = RETRY_MIN_MS;
  #sending: Promise<void> | null = null;
  #again = false;

  constructor(
    private readonly url: string,
    private readonly pool: pg.Pool,
    /** Called when another process's write may have changed content, or when notifications may have been missed. */
    private readonly heard: () => void,
  ) {}

  /** Tells the other instances that a write became visible. Never throws, never waits. */
  announce(): void {
    if (this.#closed) return;
    if (this.#sending) {
      this.#again = true;
      return;
    }
    this.#sending = this.#send().finally(() => (this.#sending = null));
  }

  async #send(): Promise<void> {
    do {
      this.#again = false;
      try {
        await this.pool.query('select pg_notify($1, $2)', [CONTENT_CHANNEL, this.id]);
      } catch {
        // The database is unreachable: every listener lost its connection too and drops its
        // caches when it reconnects, so there is nobody to tell and nothing to retry.
      }
    } while (this.#again && !this.#closed);
  }

  /**
   * Starts listening (once) and resolves when the first LISTEN is in place; rejects if that first
   * attempt fails (the caller decides whether that stops it). It keeps trying either way, and
   * reconnects on its own after any later loss.
   */
  listen(): Promise<void> {
    this.#started ??= this.#connect(true);
    return this.#started;
  }

  /** Whether the LISTEN connection is up right now. */
  get listening(): boolean {
    return this.#client !== null;
  }

  async #connect(first: boolean): Promise<void> {
    // Idle for hours by design: keepalive probes after 10 s of silence (Linux waits 2 h by default)
    // notice a server that vanished without closing the connection.
    const client = new pg.Client({
      connectionString: this.url,
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
      connectionTimeoutMillis: 5_000,
      application_name: LISTENER_APPLICATION_NAME,
    });
    // A server restart ends the connection with an error event; 'end' below handles it.
    client.on('error', () => {});
    client.on('notification', (n) => {
      if (n.channel === CONTENT_CHANNEL && n.payload !== this.id) this.heard();
    });
    client.on('end', () => {
      if (this.#client !== client) return;
      this.#client = null;
      this.#retryLater();
    });
    try {
      await client.connect();
      await client.query(`listen ${CONTENT_CHANNEL}`);
    } catch (err) {
      await client.end().catch(() => {});
      this.#retryLater();
      if (first) throw err;
      return;
    }
    if (this.#closed) {
      await client.end().catch(() => {});
      return;
    }
    this.#client = client;
    this.#retryMs = RETRY_MIN_MS;
    // Whatever was announced while nobody listened is lost: treat it as a change.
    if (!first) this.heard();
  }

  #retryLater(): void {
    if (this.#closed || this.#retryTimer) return;
    const wait = this.#retryMs;
    this.#retryMs = Math.min(this.#retryMs * 2, RETRY_MAX_MS);
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = null;
      void this.#connect(false);
    }, wait);
    this.#retryTimer.unref();
  }

  /** Sends what is still queued, then stops listening. Call before the pool is closed. */
  async close(): Promise<void> {
    if (this.#sending) await this.#sending;
    this.#closed = true;
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
    await this.#started?.catch(() => {});
    const client = this.#client;
    this.#client = null;
    await client?.end().catch(() => {});
  }
}
