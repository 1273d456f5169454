import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A real OpenID Connect provider (oidc-provider, the certified Node implementation) on 127.0.0.1
 * and a random port, in this process, with its development login and consent pages. Accounts are
 * a map from the login name typed on its login page to the claims it asserts.
 */

export interface TestIdp {
  issuer: string;
  clientId: string;
  clientSecret: string;
  close(): Promise<void>;
}

interface ProviderInstance {
  callback(): (req: IncomingMessage, res: ServerResponse) => void;
}
type ProviderClass = new (issuer: string, configuration: Record<string, unknown>) => ProviderInstance;

export async function startOidcProvider(opts: {
  redirectUris: string[];
  accounts: Record<string, Record<string, unknown>>;
  /** True: the spec's strict mode, where scope claims go only to userinfo and the ID token carries little more than `sub`. */
  conformIdTokenClaims?: boolean;
}): Promise<TestIdp> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clientId = 'loften-test';
  const clientSecret = randomBytes(24).toString('base64url');

  // oidc-provider ships no type declarations; a computed specifier keeps tsc from asking for them.
  const specifier = 'oidc-provider';
  const { default: Provider } = (await import(specifier)) as { default: ProviderClass };
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: opts.redirectUris,
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    findAccount: async (_ctx: unknown, sub: string) => {
      const claims = opts.accounts[sub];
      return claims ? { accountId: sub, claims: async () => ({ sub, ...claims }) } : undefined;
    },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'roles'] },
    // By default put the scope claims in the ID token too (as most IdPs do), not only behind userinfo.
    conformIdTokenClaims: opts.conformIdTokenClaims ?? false,
    // Refuse any authorization request without PKCE, so the tests prove the app sends it.
    pkce: { required: () => true },
    features: { devInteractions: { enabled: true } },
    ttl: { AccessToken: 600, AuthorizationCode: 60, Grant: 600, IdToken: 600, Interaction: 600, Session: 600 },
    cookies: { keys: [randomBytes(16).toString('hex')] },
  });
  server.on('request', provider.callback());
  return {
    issuer,
    clientId,
    clientSecret,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The few cookie rules a browser applies that matter here: one jar per host (ports share it), paths, deletion. */
export class CookieJar {
  private readonly cookies = new Map<string, { name: string; value: string; path: string }>();

  store(res: Response, url: URL): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair = '', ...attrs] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      let path = url.pathname.slice(0, url.pathname.lastIndexOf('/')) || '/';
      let expired = false;
      for (const a of attrs) {
        const [k = '', v = ''] = a.split('=').map((s) => s.trim());
        if (k.toLowerCase() === 'path' && v.startsWith('/')) path = v;
        if (k.toLowerCase() === 'max-age' && Number(v) <= 0) expired = true;
        if (k.toLowerCase() === 'expires' && Date.parse(v) <= Date.now()) expired = true;
      }
      const key = `${name}|${path}`;
      if (expired) this.cookies.delete(key);
      else this.cookies.set(key, { name, value, path });
    }
  }

  header(url: URL): string {
    return [...this.cookies.values()]
      .filter((c) => c.path === '/' || url.pathname === c.path || url.pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`))
      .sort((a, b) => b.path.length - a.path.length)
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
  }

  has(name: string): boolean {
    return [...this.cookies.values()].some((c) => c.name === name);
  }
}

export interface Hop {
  method: string;
  url: string;
  status: number;
  location: string | null;
  body: string;
}

const unescapeHtml = (s: string) => s.replace(/&amp;/g, '&').replace(/&#x2F;/gi, '/').replace(/&quot;/g, '"');

/**
 * Drives a sign-in the way a browser would: follows redirects by hand with a cookie jar, fills in
 * the IdP's login form as `login` (or presses Cancel), approves the consent form, and stops at
 * the first page that is not a redirect, or just before requesting a URL that `stopBefore` matches.
 */
export async function browse(
  startUrl: string,
  opts: { idp: TestIdp; login: string; jar?: CookieJar; cancel?: boolean; stopBefore?: (url: string) => boolean },
): Promise<{ hops: Hop[]; final: Hop; jar: CookieJar; stoppedAt?: string }> {
  const jar = opts.jar ?? new CookieJar();
  const hops: Hop[] = [];
  let next: { method: 'GET' | 'POST'; url: string; body?: string } = { method: 'GET', url: startUrl };
  for (let i = 0; i < 25; i++) {
    if (opts.stopBefore?.(next.url)) return { hops, final: hops[hops.length - 1]!, jar, stoppedAt: next.url };
    const url = new URL(next.url);
    const headers: Record<string, string> = {};
    const cookie = jar.header(url);
    if (cookie) headers.cookie = cookie;
    if (next.body !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
    const res = await fetch(url, { method: next.method, headers, body: next.body, redirect: 'manual' });
    jar.store(res, url);
    const hop: Hop = { method: next.method, url: url.href, status: res.status, location: res.headers.get('location'), body: await res.text() };
    hops.push(hop);
    if (hop.status >= 300 && hop.status < 400 && hop.location) {
      next = { method: 'GET', url: new URL(hop.location, url).href };
      continue;
    }
    if (hop.status === 200 && url.origin === new URL(opts.idp.issuer).origin) {
      const prompt = /name="prompt" value="(login|consent)"/.exec(hop.body)?.[1];
      const action = /<form[^>]*action="([^"]+)"/.exec(hop.body)?.[1];
      if (prompt && action) {
        if (prompt === 'login' && opts.cancel) {
          const abort = /<a href="([^"]+)">\[ Cancel \]<\/a>/.exec(hop.body)?.[1];
          next = { method: 'GET', url: new URL(unescapeHtml(abort!), url).href };
          continue;
        }
        const fields: Record<string, string> = prompt === 'login' ? { prompt, login: opts.login, password: 'vad-som-helst' } : { prompt };
        next = { method: 'POST', url: new URL(unescapeHtml(action), url).href, body: new URLSearchParams(fields).toString() };
        continue;
      }
    }
    return { hops, final: hop, jar };
  }
  throw new Error(`För många steg: ${hops.map((h) => `${h.status} ${h.url}`).join('\n')}`);
}
