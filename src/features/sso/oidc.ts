import * as client from 'openid-client';
import { claimValue, isLoopbackUrl, type SsoConfig } from './sso.js';

/** The OpenID Connect client side (openid-client v6), kept apart so the service reads as rules. */

export const SCOPE = 'openid email profile';

/** Seconds to wait for the IdP: a slow IdP must not hold a request for openid-client's default 30 s. */
const TIMEOUT_S = 10;

/**
 * Discovery against the configured issuer. openid-client refuses plain http; we lift that with
 * `allowInsecureRequests` only for an issuer on the loopback interface (a test or development
 * IdP on this machine), where the traffic never leaves the host. Everywhere else the code
 * exchange, the client secret and the JWKS that ID tokens are verified with must travel over TLS.
 */
export async function discover(config: Pick<SsoConfig, 'issuerUrl' | 'clientId' | 'clientSecret'>): Promise<client.Configuration> {
  const issuer = new URL(config.issuerUrl);
  const insecure = issuer.protocol === 'http:' && isLoopbackUrl(issuer);
  const auth = config.clientSecret ? client.ClientSecretBasic(config.clientSecret) : client.None();
  return client.discovery(issuer, config.clientId, undefined, auth, {
    execute: insecure ? [client.allowInsecureRequests] : [],
    timeout: TIMEOUT_S,
  });
}

export interface PendingLogin {
  state: string;
  nonce: string;
  codeVerifier: string;
}

export async function newPendingLogin(): Promise<PendingLogin & { codeChallenge: string }> {
  const codeVerifier = client.randomPKCECodeVerifier();
  return {
    state: client.randomState(),
    nonce: client.randomNonce(),
    codeVerifier,
    codeChallenge: await client.calculatePKCECodeChallenge(codeVerifier),
  };
}

export function authorizationUrl(oidc: client.Configuration, p: { redirectUri: string; state: string; nonce: string; codeChallenge: string }): URL {
  return client.buildAuthorizationUrl(oidc, {
    redirect_uri: p.redirectUri,
    scope: SCOPE,
    code_challenge: p.codeChallenge,
    code_challenge_method: 'S256',
    state: p.state,
    nonce: p.nonce,
  });
}

/**
 * Code → tokens, with every check openid-client offers: state, nonce, PKCE, the ID token's
 * signature, issuer, audience and lifetime. Returns the ID token's claims, completed from the
 * userinfo endpoint when one of the `wanted` claims is missing (the spec lets an IdP keep scope
 * claims out of the ID token when it also issues an access token); what the ID token says wins.
 */
export async function exchangeCode(oidc: client.Configuration, currentUrl: URL, p: PendingLogin, wanted: readonly string[]): Promise<Record<string, unknown>> {
  const tokens = await client.authorizationCodeGrant(oidc, currentUrl, {
    pkceCodeVerifier: p.codeVerifier,
    expectedState: p.state,
    expectedNonce: p.nonce,
    idTokenExpected: true,
  });
  const claims = tokens.claims();
  if (!claims) throw new Error('no ID token in the token response');
  const missing = wanted.some((name) => claimValue(claims, name) === undefined);
  if (missing && tokens.access_token && oidc.serverMetadata().userinfo_endpoint) {
    const info = await client.fetchUserInfo(oidc, tokens.access_token, claims.sub);
    return { ...info, ...claims };
  }
  return { ...claims };
}

/** The IdP sent the user back with an error (they cancelled, or were refused there). */
export function isAuthorizationError(err: unknown): boolean {
  return err instanceof client.AuthorizationResponseError;
}

/** The IdP could not be reached or did not answer in time, as opposed to answering wrongly. */
export function isUnreachable(err: unknown): boolean {
  const e = err as { name?: string; cause?: { code?: string; name?: string } } | null;
  return (
    e?.name === 'TimeoutError' ||
    e?.name === 'AbortError' ||
    (err instanceof TypeError && /fetch failed/i.test(err.message)) ||
    ['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT'].includes(e?.cause?.code ?? '')
  );
}
