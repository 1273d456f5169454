import { domainToASCII } from 'node:url';
import { z } from 'zod';
import type { Role } from '../../db/schema.js';
import { ROLES } from '../accounts/user.js';

/** Single sign-on per party: the configuration, its form input, and the rules that map an IdP's claims to a user. */

export interface SsoConfig {
  partyId: string;
  issuerUrl: string;
  clientId: string;
  /** Kept on the server only: never rendered, never written to the audit trail. */
  clientSecret: string | null;
  emailDomains: string[];
  roleClaim: string | null;
  defaultRole: Role;
  enabled: boolean;
  version: number;
}

export const LOOPBACK_HOSTS: readonly string[] = ['127.0.0.1', 'localhost', '[::1]'];

/**
 * Plain http is accepted only for an IdP on this very machine (a test or development server):
 * that traffic never leaves the host. Anywhere else the code exchange, the client secret and the
 * signing keys would travel readable and forgeable. See docs/decisions/sso.md.
 */
export function isLoopbackUrl(url: URL): boolean {
  return LOOPBACK_HOSTS.includes(url.hostname.toLowerCase());
}

/** Lower case, trimmed, punycode for non-ASCII names, so "Malmö.se" and "xn--malm-8qa.se" compare equal. */
export function normaliseDomain(domain: string): string {
  const d = domain.trim().toLowerCase().replace(/\.$/, '');
  return domainToASCII(d) || d;
}

const DOMAIN = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$/;

export function parseDomainList(text: string): string[] {
  return [...new Set(text.split(/[,\s]+/).map((d) => d.trim().toLowerCase()).filter(Boolean))];
}

export function emailDomain(email: string): string {
  return normaliseDomain(email.slice(email.lastIndexOf('@') + 1));
}

/** The form as posted: every value a string (or absent), validated and shaped here, never in the route. */
export const SsoConfigForm = z.object({
  issuerUrl: z
    .string({ message: 'Ange utfärdarens adress.' })
    .trim()
    .min(1, 'Ange utfärdarens adress.')
    .max(500, 'Adressen får ha högst 500 tecken.')
    .superRefine((value, ctx) => {
      let url: URL;
      try {
        url = new URL(value);
      } catch {
        ctx.addIssue({ code: 'custom', message: 'Ange en giltig adress, till exempel https://login.example.se/realms/kommun.' });
        return;
      }
      if (url.protocol === 'https:') {
        // fall through to the common checks
      } else if (url.protocol === 'http:' && isLoopbackUrl(url)) {
        // a test server on this machine
      } else if (url.protocol === 'http:') {
        ctx.addIssue({ code: 'custom', message: 'Adressen måste börja med https://. Okrypterad http går bara för en testserver på den egna datorn.' });
        return;
      } else {
        ctx.addIssue({ code: 'custom', message: 'Ange en giltig adress, till exempel https://login.example.se/realms/kommun.' });
        return;
      }
      if (url.search || url.hash || url.username || url.password)
        ctx.addIssue({ code: 'custom', message: 'Adressen får inte innehålla ?, # eller inloggningsuppgifter.' });
    }),
  clientId: z.string({ message: 'Ange klient-id.' }).trim().min(1, 'Ange klient-id.').max(200, 'Klient-id får ha högst 200 tecken.'),
  /** Empty means "keep the stored secret" (or none: a public client that relies on PKCE alone). */
  clientSecret: z
    .string()
    .max(500, 'Klienthemligheten får ha högst 500 tecken.')
    .optional()
    .transform((v) => (v && v.trim() ? v.trim() : null)),
  defaultRole: z.enum(ROLES, { message: 'Välj en standardroll.' }),
  emailDomains: z
    .string()
    .max(2000, 'Listan får ha högst 2000 tecken.')
    .optional()
    .transform((v) => parseDomainList(v ?? ''))
    .superRefine((list, ctx) => {
      const bad = list.filter((d) => !DOMAIN.test(normaliseDomain(d)));
      if (bad.length > 0)
        ctx.addIssue({ code: 'custom', message: `Det här är inte en giltig domän: ${bad.join(', ')}. Skriv till exempel strangnas.se, utan @.` });
    }),
  roleClaim: z
    .string()
    .trim()
    .max(200, 'Namnet får ha högst 200 tecken.')
    .regex(/^\S*$/, 'Namnet på anspråket får inte innehålla mellanslag.')
    .optional()
    .transform((v) => v || null),
  enabled: z
    .string()
    .optional()
    .transform((v) => v === '1' || v === 'on' || v === 'true'),
  /** The version the form was loaded with; empty when there was no configuration yet. */
  version: z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (!v) return null;
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1) {
        ctx.addIssue({ code: 'custom', message: 'Formuläret är trasigt. Ladda om sidan.' });
        return z.NEVER;
      }
      return n;
    }),
});
export type SsoConfigForm = z.output<typeof SsoConfigForm>;

/** What the audit trail and the conflict notice may show: everything except the secret itself. */
export function publicView(c: SsoConfig): Record<string, unknown> {
  return {
    issuerUrl: c.issuerUrl,
    clientId: c.clientId,
    clientSecret: c.clientSecret ? '***' : null,
    emailDomains: c.emailDomains.join(', '),
    roleClaim: c.roleClaim,
    defaultRole: c.defaultRole,
    enabled: c.enabled,
    version: c.version,
  };
}

// ---------------------------------------------------------------------------------------------
// Claims → user

/** Highest privilege first. */
const ROLE_ORDER: readonly Role[] = ['admin', 'editor', 'reporter', 'viewer'];

/**
 * The value of the named claim: an exact key first (claim names may be URLs with dots), then a
 * dotted path into nested objects, e.g. Keycloak's `realm_access.roles`.
 */
export function claimValue(claims: Record<string, unknown>, name: string): unknown {
  if (name in claims) return claims[name];
  let v: unknown = claims;
  for (const part of name.split('.')) {
    if (v === null || typeof v !== 'object' || !(part in v)) return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}

/** The highest-privileged valid role in a claim (a string or a list of strings), or null. */
export function roleFromClaim(value: unknown): Role | null {
  const values = (Array.isArray(value) ? value : [value]).filter((x): x is string => typeof x === 'string').map((x) => x.trim().toLowerCase());
  return ROLE_ORDER.find((r) => values.includes(r)) ?? null;
}

export function roleFor(config: Pick<SsoConfig, 'roleClaim' | 'defaultRole'>, claims: Record<string, unknown>): Role {
  return (config.roleClaim ? roleFromClaim(claimValue(claims, config.roleClaim)) : null) ?? config.defaultRole;
}

/** `email_verified` may be a boolean or, from some IdPs, the string "false". Absent counts as verified. */
export function emailIsUnverified(claims: Record<string, unknown>): boolean {
  const v = claims.email_verified;
  return v === false || (typeof v === 'string' && v.trim().toLowerCase() === 'false');
}
