import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { onContentChange } from '../../../db/connect.js';
import type { DB } from '../../../db/schema.js';
import { matchesEtag, MAX_TTL_MS, negotiateEncoding, PageCache, RenderedPage } from '../../../platform/http/page-cache.js';

/**
 * Finished open-data files, kept like public pages (platform/http/page-cache.ts, whose cache this
 * reuses): built once, compressed once per encoding, dropped on every committed write (or, with
 * a staleness grace, still served that long after it to readers without a cookie) and after a
 * minute. Measured on 290 municipalities × 5 periods (1 453 pledges, 26 100 activities): the
 * national activities CSV is 13 MB and takes 2.8 s to build, the JSON 24 MB (1 MB brotli), so
 * building per request would let a handful of downloads occupy the server. Concurrent requests
 * for a file being built wait for that one build.
 */

export interface FileSpec {
  body: string;
  type: string;
  /** Offered as a file to save, under this name. */
  filename?: string;
  disposition?: 'attachment' | 'inline';
}

class DataFile extends RenderedPage {
  constructor(
    readonly spec: Omit<FileSpec, 'body'>,
    body: string,
    renderedAt: number,
  ) {
    super(body, renderedAt);
  }
}

/** Published content only, the same for everyone: shared caches may keep it as long as a public page. */
export const CACHE_CONTROL = 'public, max-age=60';

export interface FileCache {
  send(req: FastifyRequest, reply: FastifyReply, key: string, build: () => Promise<FileSpec>): Promise<FastifyReply>;
  /**
   * A value several files are built from (the national set of pledges feeds four files), loaded
   * once until the next write or for a minute at most, under the same rules as the files.
   */
  shared<T>(key: string, load: () => Promise<T>): Promise<T>;
}

export function createFileCache(app: FastifyInstance, deps: { db: Kysely<DB>; clock: () => Date; pageCacheGraceMs?: number }): FileCache {
  const cache = new PageCache({ maxEntries: 2000, maxBytes: 128 * 1024 * 1024, graceMs: deps.pageCacheGraceMs ?? 0 });
  const values = new Map<string, { generation: number; value: Promise<unknown> }>();
  const unsubscribe = onContentChange(deps.db, () => {
    cache.invalidate(deps.clock().getTime());
    values.clear();
  });
  // A database whose writes we cannot see gets no cache at all, as for pages.
  const enabled = unsubscribe !== null;
  if (unsubscribe) app.addHook('onClose', async () => unsubscribe());
  const building = new Map<string, Promise<DataFile>>();

  async function file(key: string, build: () => Promise<FileSpec>, mayBeStale: boolean): Promise<DataFile> {
    const startedAt = deps.clock().getTime();
    const cached = enabled ? (cache.get(key, startedAt, mayBeStale) as DataFile | undefined) : undefined;
    if (cached) return cached;
    // Keyed by generation too: a request that comes after a write must not wait for a build that began before it.
    const generation = cache.generation;
    const flight = `${generation} ${key}`;
    const pending = building.get(flight);
    if (pending) return pending;
    const made = build()
      .then(({ body, ...spec }) => {
        const f = new DataFile(spec, body, startedAt);
        if (enabled) cache.set(key, f, generation);
        return f;
      })
      .finally(() => building.delete(flight));
    building.set(flight, made);
    return made;
  }

  return {
    shared<T>(key: string, load: () => Promise<T>): Promise<T> {
      if (!enabled) return load();
      const generation = cache.generation;
      const hit = values.get(key);
      if (hit && hit.generation === generation) return hit.value as Promise<T>;
      const value = load();
      values.set(key, { generation, value });
      const forget = () => {
        if (values.get(key)?.value === value) values.delete(key);
      };
      value.catch(forget);
      // Other instances' writes are only seen through the TTL, as for pages; and the memory goes back.
      setTimeout(forget, MAX_TTL_MS).unref();
      return value;
    },

    async send(req, reply, key, build) {
      // The same rule as public pages: a signed-in editor (cookie) or an API client with
      // credentials sees their own write at once; only anonymous readers may get a stale file.
      const f = await file(key, build, req.headers.cookie === undefined && req.headers.authorization === undefined);
      reply.header('Cache-Control', CACHE_CONTROL).header('ETag', f.etag).header('Vary', 'Accept-Encoding').type(f.spec.type);
      if (f.spec.filename) reply.header('Content-Disposition', `${f.spec.disposition ?? 'attachment'}; filename="${f.spec.filename}"`);
      if (matchesEtag(req.headers['if-none-match'], f.etag)) return reply.code(304).removeHeader('Content-Type').send();
      const encoding = negotiateEncoding(req.headers['accept-encoding']);
      if (encoding !== 'identity') reply.header('Content-Encoding', encoding);
      return reply.send(await f.body(encoding));
    },
  };
}
