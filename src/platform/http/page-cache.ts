import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { brotliCompress, constants as zlibConstants, gzip } from 'node:zlib';
import compress from '@fastify/compress';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { onContentChange } from '../../db/connect.js';
import type { DB } from '../../db/schema.js';
import { swedishDate } from '../../features/pledges/pledge.js';

/**
 * How public pages leave the app: compressed once per version instead of once per request, with
 * an ETag, and kept for a short while so the next reader of the same URL gets the finished bytes.
 * See docs/decisions/performance.md for what is cached, when it is dropped and why.
 */

declare module 'fastify' {
  interface FastifyInstance {
    pageCache: PageCache | null;
  }
}

export type Encoding = 'br' | 'gzip' | 'identity';

/** Never longer than the `max-age=60` the pages promise shared caches: writes no notification announced (db/content-channel.ts) show within that. */
export const MAX_TTL_MS = 60_000;

export interface PageCacheLimits {
  /** Time to live, at most MAX_TTL_MS. */
  ttlMs: number;
  maxEntries: number;
  /** Bytes of HTML and its compressed variants together. */
  maxBytes: number;
  /**
   * How long after a write a page rendered before it may still be served (PAGE_CACHE_GRACE_MS).
   * 0: a write drops everything at once. See "Staleness grace" in docs/decisions/performance.md.
   */
  graceMs: number;
}

/** The grace is a bound on how stale an anonymous reader's page may be; above ten seconds it stops being "just now". */
export const MAX_GRACE_MS = 10_000;

export const DEFAULT_LIMITS: PageCacheLimits = { ttlMs: MAX_TTL_MS, maxEntries: 1000, maxBytes: 32 * 1024 * 1024, graceMs: 0 };

const gzipAsync = promisify(gzip);
const brotliAsync = promisify(brotliCompress);

/**
 * Compressed once per page version, off the event loop (zlib's thread pool). Measured on the
 * 50 KB national index: br quality 6 gives 4.0 KB in 0.8 ms; 9 gives 3.9 KB in 4.6 ms; 11 gives
 * 3.4 KB in 55 ms, which every cache miss (each new `?q=`, every page after a write) would pay.
 * gzip 9 costs next to nothing more than 6.
 */
function compressed(html: Buffer, encoding: 'br' | 'gzip'): Promise<Buffer> {
  return encoding === 'br'
    ? brotliAsync(html, {
        params: {
          [zlibConstants.BROTLI_PARAM_QUALITY]: 6,
          [zlibConstants.BROTLI_PARAM_MODE]: zlibConstants.BROTLI_MODE_TEXT,
          [zlibConstants.BROTLI_PARAM_SIZE_HINT]: html.length,
        },
      })
    : gzipAsync(html, { level: 9 });
}

/**
 * What a public page sends beyond the headers every public page has: e.g. the embed's own
 * Content-Security-Policy (frame-ancestors from the parties' allow-lists), and the defaults it
 * must drop (X-Frame-Options, which cannot express an allow-list). Kept with the cached page, so
 * a hit sends exactly what the miss did.
 */
export interface PageHeaders {
  set?: Readonly<Record<string, string>>;
  remove?: readonly string[];
}

/** One rendered page: the HTML, its validator, and each compressed variant once somebody asked for it. */
export class RenderedPage {
  readonly identity: Buffer;
  readonly etag: string;
  #variants: Partial<Record<'br' | 'gzip', Buffer>> = {};
  #pending: Partial<Record<'br' | 'gzip', Promise<Buffer>>> = {};
  /** Told how many bytes a new variant added, for the cache's byte cap. */
  onGrow: ((bytes: number) => void) | null = null;

  constructor(
    html: string,
    /** Clock time (ms) at which the request that rendered it started, so its data is at least this fresh. */
    readonly renderedAt: number,
    readonly headers: PageHeaders | null = null,
  ) {
    this.identity = Buffer.from(html, 'utf8');
    // Weak: the same validator for every encoding of the same HTML (RFC 9110 §8.8.1). A page's own
    // headers count too: a new framing allow-list must reach a browser that revalidates, not a 304.
    const hash = createHash('sha1').update(this.identity);
    if (headers) hash.update(JSON.stringify(headers));
    this.etag = `W/"${hash.digest('base64url')}"`;
  }

  get bytes(): number {
    return this.identity.length + (this.#variants.br?.length ?? 0) + (this.#variants.gzip?.length ?? 0);
  }

  /** The body in an encoding: a Buffer when ready, else a promise (compressed at most once, however many wait). */
  body(encoding: Encoding): Buffer | Promise<Buffer> {
    if (encoding === 'identity') return this.identity;
    const ready = this.#variants[encoding];
    if (ready) return ready;
    let pending = this.#pending[encoding];
    if (!pending) {
      pending = compressed(this.identity, encoding).then((buf) => {
        this.#variants[encoding] = buf;
        delete this.#pending[encoding];
        this.onGrow?.(buf.length);
        return buf;
      });
      pending.catch(() => delete this.#pending[encoding]);
      this.#pending[encoding] = pending;
    }
    return pending;
  }
}

/**
 * URL (+ date) → rendered page. LRU bounded by count and bytes; entries expire after the TTL.
 * Without a grace, everything is dropped on every local content write, and a page may only be
 * stored by a request that started after the last write (its `generation` is still current), so
 * a response computed from data older than a committed write is never kept.
 *
 * With a grace, a write marks the entries stale instead (from then on, not from a later write),
 * and a stale entry is still served until the grace has passed since it became stale; then it is
 * dropped and the next reader renders. So a page renders about once per grace however often
 * staff write, and what it shows is at most the grace (plus one render) behind.
 */
export class PageCache {
  #generation = 0;
  readonly #entries = new Map<string, RenderedPage>();
  /** Clock time (ms) of the first write after each stale entry was rendered; absent: fresh. */
  readonly #staleSince = new Map<string, number>();
  /** Renders in progress since the last write, by key: later readers of the same URL wait for them. */
  readonly #flights = new Map<string, Flight>();
  #bytes = 0;
  readonly limits: PageCacheLimits;

  constructor(limits: Partial<PageCacheLimits> = {}) {
    this.limits = { ...DEFAULT_LIMITS, ...limits };
    if (!(this.limits.ttlMs > 0 && this.limits.ttlMs <= MAX_TTL_MS)) throw new Error(`page cache TTL must be in (0, ${MAX_TTL_MS}] ms`);
    if (!(Number.isInteger(this.limits.graceMs) && this.limits.graceMs >= 0 && this.limits.graceMs <= MAX_GRACE_MS))
      throw new Error(`page cache grace must be an integer in [0, ${MAX_GRACE_MS}] ms`);
  }

  /** Bumped on every invalidation; a request remembers the value it started with. */
  get generation(): number {
    return this.#generation;
  }

  get size(): number {
    return this.#entries.size;
  }

  get bytes(): number {
    return this.#bytes;
  }

  /**
   * The page for `key`, fresh, or stale within the grace when `mayBeStale` (a reader who did not
   * write: signed-in staff pass false, so they see their own save at once).
   */
  get(key: string, now: number, mayBeStale = true): RenderedPage | undefined {
    const page = this.#entries.get(key);
    if (page === undefined) return undefined;
    // A clock that went backwards must not stretch the TTL, nor the grace.
    if (now - page.renderedAt >= this.limits.ttlMs || now < page.renderedAt) {
      this.#remove(key, page);
      return undefined;
    }
    const staleSince = this.#staleSince.get(key);
    if (staleSince !== undefined) {
      if (now - staleSince >= this.limits.graceMs || now < staleSince) {
        this.#remove(key, page);
        return undefined;
      }
      if (!mayBeStale) return undefined;
    }
    this.#entries.delete(key);
    this.#entries.set(key, page);
    return page;
  }

  /**
   * Stores the page. If content changed since the request began (`generation` no longer current),
   * only with a grace, and then as stale since the request began: the first write it missed came
   * after that, so it is never served longer past a write than a page that was rendered before it.
   * (Without this, at a few writes a second, a render would seldom be kept at all.)
   */
  set(key: string, page: RenderedPage, generation: number): boolean {
    const stale = generation !== this.#generation;
    if (stale && this.limits.graceMs === 0) return false;
    if (page.bytes > this.limits.maxBytes) return false;
    const old = this.#entries.get(key);
    // A slow render that missed a write must not replace one that began later.
    if (stale && old && old.renderedAt >= page.renderedAt) return false;
    if (old) this.#remove(key, old);
    this.#entries.set(key, page);
    if (stale) this.#staleSince.set(key, page.renderedAt);
    this.#bytes += page.bytes;
    page.onGrow = (n) => {
      if (this.#entries.get(key) !== page) return;
      this.#bytes += n;
      this.#evict();
    };
    this.#evict();
    return true;
  }

  /**
   * The render of `key` in progress, for a reader arriving now to wait for instead of rendering
   * it again. A flight only serves readers who arrived in the generation it started in: a write
   * clears the table, so a reader who came after a write never gets a page begun before it. (One
   * who joined before the write may: its request overlapped the write, so either answer is right.)
   */
  inFlight(key: string): Promise<RenderedPage | null> | undefined {
    return this.#flights.get(key)?.done;
  }

  /** Announces a render of `key`; the returned function ends it (with the page, or null: waiters render themselves). */
  takeOff(key: string): (page: RenderedPage | null) => void {
    let resolve!: (page: RenderedPage | null) => void;
    const flight: Flight = { done: new Promise((r) => (resolve = r)) };
    this.#flights.set(key, flight);
    return (page) => {
      if (this.#flights.get(key) === flight) this.#flights.delete(key);
      resolve(page);
    };
  }

  /**
   * A write committed at `now`: without a grace everything goes; with one, every fresh entry
   * becomes stale from now (an entry already stale keeps its earlier start, so a stream of writes
   * cannot keep it alive). Either way, requests rendering right now store nothing fresh, and
   * readers from now on no longer wait for their renders.
   */
  invalidate(now: number = Date.now()): void {
    this.#generation++;
    this.#flights.clear();
    if (this.limits.graceMs > 0) {
      for (const key of this.#entries.keys()) if (!this.#staleSince.has(key)) this.#staleSince.set(key, now);
      return;
    }
    for (const page of this.#entries.values()) page.onGrow = null;
    this.#entries.clear();
    this.#bytes = 0;
  }

  #remove(key: string, page: RenderedPage): void {
    this.#entries.delete(key);
    this.#staleSince.delete(key);
    this.#bytes -= page.bytes;
    page.onGrow = null;
  }

  #evict(): void {
    while (this.#entries.size > this.limits.maxEntries || this.#bytes > this.limits.maxBytes) {
      const oldest = this.#entries.entries().next().value;
      if (!oldest) break;
      this.#remove(oldest[0], oldest[1]);
    }
  }
}

interface Flight {
  done: Promise<RenderedPage | null>;
}

// ---------------------------------------------------------------------------------------------
// HTTP

/**
 * br, then gzip, else identity, by q-value; mirrors @fastify/compress (which still compresses
 * every other response): `*` and `x-gzip` mean gzip, ties go to br, q=0 refuses.
 */
export function negotiateEncoding(header: string | undefined): Encoding {
  if (!header) return 'identity';
  let found = negotiated.get(header);
  if (found) return found;
  let br = 0;
  let gz = 0;
  for (const part of header.toLowerCase().split(',')) {
    const [rawToken = '', ...params] = part.split(';');
    const token = rawToken.trim();
    let q = 1;
    for (const p of params) {
      const m = /^\s*q\s*=\s*([0-9.]*)\s*$/.exec(p);
      if (m) q = Number.parseFloat(m[1]!) || 0;
    }
    if (token === 'br') br = Math.max(br, q);
    else if (token === 'gzip' || token === 'x-gzip' || token === '*') gz = Math.max(gz, q);
  }
  found = br > 0 && br >= gz ? 'br' : gz > 0 ? 'gzip' : 'identity';
  if (negotiated.size >= 100) negotiated.clear();
  negotiated.set(header, found);
  return found;
}
const negotiated = new Map<string, Encoding>();

/** If-None-Match with weak comparison: W/"x" matches "x" and W/"x"; `*` matches anything. */
export function matchesEtag(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  const opaque = etag.replace(/^W\//, '');
  return ifNoneMatch.split(',').some((t) => {
    const tag = t.trim();
    return tag === '*' || tag.replace(/^W\//, '') === opaque;
  });
}

/** The headers of every public page, cached or not: one place, so both paths send the same. */
function setPublicPageHeaders(reply: FastifyReply, own: PageHeaders | null): FastifyReply {
  reply.header('Cache-Control', 'public, max-age=60').header('Vary', 'Accept-Encoding').type('text/html; charset=utf-8');
  if (own?.set) reply.headers(own.set);
  for (const name of own?.remove ?? []) reply.removeHeader(name);
  return reply;
}

/** Replies that carry a public page, set by sendPublicHtml and taken over by the onSend hook, with the page's own headers. */
const publicPages = new WeakMap<FastifyReply, PageHeaders | null>();

/** Sends a rendered public page (published content only, the same for every reader of the URL). */
export function sendPublicHtml(reply: FastifyReply, html: string, own: PageHeaders | null = null): FastifyReply {
  publicPages.set(reply, own);
  return setPublicPageHeaders(reply, own).send(html);
}

/** ETag and encoding on the reply; the body to send, or null for a 304. */
function finish(req: FastifyRequest, reply: FastifyReply, page: RenderedPage): Buffer | Promise<Buffer> | null {
  reply.header('ETag', page.etag);
  if (matchesEtag(req.headers['if-none-match'], page.etag)) {
    reply.code(304).removeHeader('Content-Type');
    return null;
  }
  const encoding = negotiateEncoding(req.headers['accept-encoding']);
  if (encoding !== 'identity') reply.header('Content-Encoding', encoding);
  return page.body(encoding);
}

/** Answers from a finished page: the headers a miss would send, ETag/304, the negotiated bytes. */
function sendCached(req: FastifyRequest, reply: FastifyReply, page: RenderedPage): void {
  setPublicPageHeaders(reply, page.headers);
  const body = finish(req, reply, page);
  // send() without a payload: send(null) would be serialised as the JSON text "null".
  if (body === null) reply.send();
  else if (Buffer.isBuffer(body)) reply.send(body);
  else body.then((b) => reply.send(b), (err: unknown) => reply.send(err));
}

/** Never served from or stored in the cache, whatever their handlers send. */
const PRIVATE_PATHS = /^\/(?:admin|api|logga-in|logga-ut|aterstall|glomt-losenord|static)(?:[/?]|$)/;

interface RequestState {
  key: string;
  day: string;
  startedAt: number;
  generation: number;
  /** Set when this request renders for readers waiting on the same URL: called once, with the page or null. */
  land: ((page: RenderedPage | null) => void) | null;
}

/**
 * Registers response compression (@fastify/compress for everything but public pages) and the
 * public page cache. Call where compression belongs: after the security headers, before routes.
 */
export async function registerPageDelivery(
  app: FastifyInstance,
  deps: { db: Kysely<DB>; clock: () => Date; pageCacheGraceMs?: number },
  limits: Partial<PageCacheLimits> = {},
): Promise<void> {
  await app.register(compress, { global: true, threshold: 1024, encodings: ['br', 'gzip'] });

  const cache = new PageCache({ graceMs: deps.pageCacheGraceMs ?? 0, ...limits });
  // A database whose writes we cannot see (not opened by connect()) gets no cache at all.
  const unsubscribe = onContentChange(deps.db, () => cache.invalidate(deps.clock().getTime()));
  const enabled = unsubscribe !== null;
  app.decorate('pageCache', enabled ? cache : null);
  if (unsubscribe) app.addHook('onClose', async () => unsubscribe());

  const states = new WeakMap<FastifyRequest, RequestState>();

  app.addHook('onRequest', (req, reply, done) => {
    if (!enabled || (req.method !== 'GET' && req.method !== 'HEAD')) return done();
    // Cookies mean a signed-in user (whose session the auth hook must still see and touch) or
    // a form in progress: such requests neither read nor fill the cache.
    if (req.headers.cookie !== undefined || req.headers.authorization !== undefined || PRIVATE_PATHS.test(req.url)) return done();
    const now = deps.clock();
    const startedAt = now.getTime();
    const day = swedishDate(now);
    const key = `${day} ${req.url}`;
    const page = cache.get(key, startedAt);
    if (page !== undefined) return sendCached(req, reply, page);
    // A burst of readers right after a write would otherwise render the same page once each.
    const flight = cache.inFlight(key);
    if (flight) {
      flight.then(
        (rendered) => {
          if (rendered) return sendCached(req, reply, rendered);
          states.set(req, { key, day, startedAt, generation: cache.generation, land: null });
          done();
        },
        (err: Error) => done(err),
      );
      return;
    }
    // HEAD never fills the cache, so it never renders for others either.
    states.set(req, { key, day, startedAt, generation: cache.generation, land: req.method === 'GET' ? cache.takeOff(key) : null });
    done();
  });

  /** The request's flight ends whatever happened to it; waiters then render for themselves. */
  const land = (req: FastifyRequest, page: RenderedPage | null) => {
    const state = states.get(req);
    if (!state?.land) return;
    const l = state.land;
    state.land = null;
    l(page);
  };
  app.addHook('onResponse', (req, _reply, done) => {
    land(req, null);
    done();
  });
  app.addHook('onRequestAbort', (req, done) => {
    land(req, null);
    done();
  });

  // Callback style, not async: it runs for every response, and most just pass through.
  app.addHook('onSend', (req, reply, payload, done) => {
    if (!publicPages.has(reply)) return done(null, payload);
    const own = publicPages.get(reply) ?? null;
    publicPages.delete(reply);
    if (reply.statusCode !== 200 || typeof payload !== 'string') return done(null, payload);
    const state = states.get(req);
    const page = new RenderedPage(payload, state?.startedAt ?? deps.clock().getTime(), own);
    if (state && req.method === 'GET' && !reply.hasHeader('Set-Cookie') && swedishDate(deps.clock()) === state.day) {
      // The handler's own date lies between state.day and now: equal ends mean it rendered that day.
      cache.set(state.key, page, state.generation);
      // Waiters get it even when a write came meanwhile: they arrived before that write (see flight()).
      land(req, page);
    } else if (state) land(req, null);
    const body = finish(req, reply, page);
    if (body === null || Buffer.isBuffer(body)) return done(null, body);
    body.then((b) => done(null, b), (err: Error) => done(err));
  });
}
