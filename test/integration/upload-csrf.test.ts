import Fastify, { type FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DB } from '../../src/db/schema.js';
import { registerAuth } from '../../src/platform/http/auth.js';
import { registerErrorHandling } from '../../src/platform/http/errors.js';
import { isFileTooLarge, takeUpload } from '../../src/platform/http/multipart.js';

/**
 * Multipart uploads behind the automatic CSRF check, on a bare app with one upload route: the
 * token must be checked before the file is read, and a refused upload must not hang the client.
 */

let app: FastifyInstance;
let handled = 0;

function multipart(parts: ({ name: string; value: string } | { name: string; filename: string; content: Buffer | string })[]) {
  const boundary = '----loftentest' + Math.random().toString(16).slice(2);
  const chunks: Buffer[] = [];
  for (const p of parts) {
    chunks.push(Buffer.from(`--${boundary}\r\n`));
    if ('filename' in p) {
      chunks.push(Buffer.from(`Content-Disposition: form-data; name="${p.name}"; filename="${p.filename}"\r\nContent-Type: text/csv\r\n\r\n`));
      chunks.push(Buffer.isBuffer(p.content) ? p.content : Buffer.from(p.content));
    } else {
      chunks.push(Buffer.from(`Content-Disposition: form-data; name="${p.name}"\r\n\r\n${p.value}`));
    }
    chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

async function token(): Promise<{ token: string; cookie: string }> {
  const res = await app.inject({ method: 'GET', url: '/form' });
  const secret = res.cookies.find((c) => c.name === 'loften_csrf')!;
  return { token: res.body, cookie: `loften_csrf=${secret.value}` };
}

beforeAll(async () => {
  app = Fastify({ logger: false });
  registerErrorHandling(app);
  // No session cookie is ever sent, so the session lookup never reaches the database.
  await registerAuth(app, { db: null as unknown as Kysely<DB>, clock: () => new Date(), cookieSecure: false });
  app.get('/form', async (_req, reply) => reply.type('text/plain').send(reply.generateCsrf()));
  app.post('/upload', { config: { upload: { maxBytes: 64 * 1024 } } }, async (req, reply) => {
    handled++;
    const upload = takeUpload(req);
    let bytes = 0;
    try {
      if (upload.file) for await (const chunk of upload.file.stream) bytes += chunk.length;
    } catch (err) {
      if (isFileTooLarge(err)) return reply.status(413).send({ tooLarge: true });
      throw err;
    }
    const fields = await upload.finish();
    return { bytes, filename: upload.file?.filename ?? null, fields };
  });
  app.post('/plain', async (req) => ({ body: req.body }));
  await app.ready();
});

afterAll(async () => {
  app.server.closeAllConnections();
  await app.close();
});

describe('multipart forms and CSRF', () => {
  it('accepts a file when the form’s token comes first, with the fields before and after it', async () => {
    const c = await token();
    const body = multipart([
      { name: '_csrf', value: c.token },
      { name: 'note', value: 'före' },
      { name: 'file', filename: 'prov.csv', content: 'a;b\n1;2\n' },
      { name: 'after', value: 'efter' },
    ]);
    const res = await app.inject({ method: 'POST', url: '/upload', headers: { cookie: c.cookie, 'content-type': body.contentType }, payload: body.payload });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ bytes: 8, filename: 'prov.csv', fields: { _csrf: c.token, note: 'före', after: 'efter' } });
  });

  it('refuses a missing or wrong token before the route reads anything', async () => {
    const before = handled;
    const c = await token();
    for (const t of [null, 'fel-token']) {
      const parts = [...(t ? [{ name: '_csrf', value: t }] : []), { name: 'file', filename: 'x.csv', content: 'a\n1\n' }];
      const body = multipart(parts);
      const res = await app.inject({ method: 'POST', url: '/upload', headers: { cookie: c.cookie, 'content-type': body.contentType }, payload: body.payload });
      expect(res.statusCode).toBe(403);
    }
    expect(handled).toBe(before);
  });

  it('refuses a token that only comes after the file', async () => {
    const c = await token();
    const body = multipart([
      { name: 'file', filename: 'x.csv', content: 'a\n1\n' },
      { name: '_csrf', value: c.token },
    ]);
    const res = await app.inject({ method: 'POST', url: '/upload', headers: { cookie: c.cookie, 'content-type': body.contentType }, payload: body.payload });
    expect(res.statusCode).toBe(403);
  });

  it('treats a form sent without a chosen file as having no file', async () => {
    const c = await token();
    const body = multipart([
      { name: '_csrf', value: c.token },
      { name: 'file', filename: '', content: '' },
    ]);
    const res = await app.inject({ method: 'POST', url: '/upload', headers: { cookie: c.cookie, 'content-type': body.contentType }, payload: body.payload });
    expect(res.json()).toMatchObject({ bytes: 0, filename: null });
  });

  it('stops a file larger than the route allows', async () => {
    const c = await token();
    const body = multipart([
      { name: '_csrf', value: c.token },
      { name: 'file', filename: 'stor.csv', content: Buffer.alloc(100 * 1024, 0x61) },
    ]);
    const res = await app.inject({ method: 'POST', url: '/upload', headers: { cookie: c.cookie, 'content-type': body.contentType }, payload: body.payload });
    expect(res.statusCode).toBe(413);
    expect(res.json()).toEqual({ tooLarge: true });
  });

  it('refuses multipart on routes that did not ask for uploads, and form posts still need their token', async () => {
    const c = await token();
    const body = multipart([{ name: '_csrf', value: c.token }]);
    const res = await app.inject({ method: 'POST', url: '/plain', headers: { cookie: c.cookie, 'content-type': body.contentType }, payload: body.payload });
    expect(res.statusCode).toBe(400);
    const form = await app.inject({
      method: 'POST',
      url: '/plain',
      headers: { cookie: c.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: `_csrf=${encodeURIComponent(c.token)}&a=1`,
    });
    expect(form.statusCode).toBe(200);
    const bad = await app.inject({ method: 'POST', url: '/plain', headers: { cookie: c.cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: 'a=1' });
    expect(bad.statusCode).toBe(403);
  });

  it('answers a refused upload over real HTTP without leaving the client hanging', async () => {
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    const c = await token();
    const body = multipart([
      { name: '_csrf', value: 'fel' },
      { name: 'file', filename: 'stor.csv', content: Buffer.alloc(2 * 1024 * 1024, 0x61) },
    ]);
    const res = await fetch(`${address}/upload`, { method: 'POST', headers: { cookie: c.cookie, 'content-type': body.contentType }, body: body.payload });
    expect(res.status).toBe(403);
    await res.arrayBuffer();
    // The same keep-alive connection still serves the next request.
    const next = await fetch(`${address}/form`);
    expect(next.status).toBe(200);
  });
});
