import { multipartBody } from './multipart.js';

/**
 * Plain HTTP to a real server process (server-process.ts), as a browser without JavaScript would
 * talk to it: no redirects followed, cookies handed over explicitly, forms with their CSRF token.
 */

export interface HttpResponse {
  status: number;
  headers: Headers;
  body: string;
  /** Cookies the response set, name → value. */
  cookies: Record<string, string>;
}

export interface RequestOptions {
  method?: string;
  cookie?: string;
  headers?: Record<string, string>;
  form?: Record<string, string>;
  /** A multipart form: fields first, then one file (as multipart.ts builds it). */
  multipart?: { fields: Record<string, string>; file: { name: string; filename: string; content: string | Buffer } };
}

export async function request(base: string, path: string, opts: RequestOptions = {}): Promise<HttpResponse> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.cookie) headers.cookie = opts.cookie;
  let body: string | Blob | undefined;
  if (opts.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(opts.form).toString();
  } else if (opts.multipart) {
    const m = multipartBody(opts.multipart.fields, opts.multipart.file);
    headers['content-type'] = m.contentType;
    body = new Blob([new Uint8Array(m.payload)]);
  }
  const res = await fetch(new URL(path, base), { method: opts.method ?? (body === undefined ? 'GET' : 'POST'), headers, body, redirect: 'manual' });
  const cookies: Record<string, string> = {};
  for (const c of res.headers.getSetCookie()) {
    const [pair = ''] = c.split(';');
    const at = pair.indexOf('=');
    if (at > 0) cookies[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return { status: res.status, headers: res.headers, body: await res.text(), cookies };
}

/** Joins cookie headers and name=value pairs into one Cookie header. */
export function cookieHeader(...parts: (string | Record<string, string> | undefined)[]): string {
  return parts
    .flatMap((p) => (p === undefined ? [] : typeof p === 'string' ? [p] : Object.entries(p).map(([k, v]) => `${k}=${v}`)))
    .filter(Boolean)
    .join('; ');
}

/** GETs a page with a form: its CSRF token, the cookie header to post with (yours + the CSRF secret), and the page. */
export async function formOn(base: string, path: string, cookie = ''): Promise<{ token: string; cookie: string; page: HttpResponse }> {
  const page = await request(base, path, { cookie });
  const token = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1];
  if (!token) throw new Error(`Ingen CSRF-token på ${base}${path} (status ${page.status})`);
  const secret = page.cookies.loften_csrf;
  return { token, cookie: cookieHeader(cookie, secret ? { loften_csrf: secret } : undefined), page };
}

/** Resolves once `check` holds, polling; fails naming `what` after `ms`. */
export async function eventually<T>(what: string, check: () => Promise<T | false | null | undefined> | T | false | null | undefined, ms = 5_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > until) throw new Error(`Inte inom ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
