import { findSignedVersion } from '../../src/features/signing/version-repo.js';
import { defineIndicator, linkIndicator } from '../../src/features/indicators/indicator-service.js';
import { readImport, startImport } from '../../src/features/wastewater/import-service.js';
import { insertSite } from '../../src/features/wastewater/wastewater-repo.js';
import { reportActivityUpdate } from '../../src/features/follow-up/activity-updates.js';
import { addAttendee, addDecision, scheduleMeeting } from '../../src/features/follow-up/meetings.js';
import type { Role } from '../../src/db/schema.js';
import type { TestApp } from './app.js';
import { signedInAs } from './auth.js';
import { buildPledge } from './factories.js';

/**
 * Values for every route parameter, so a test can request each route of `app.routeTable`:
 * public ones from the demo pledges (Strängnäs with versions, follow-up and wastewater,
 * Strömsund with indicators), admin ones from a draft pledge with every kind of child. The route
 * walk and the axe test of every admin page both use it, so a new route gets one fixture, here.
 * `urlFor` fills a route pattern; a route it cannot fill keeps its ":param" and the caller fails.
 */
export interface RouteFixtures {
  params: Record<string, string>;
  /** Sessions: the operator and each role of the draft pledge's municipality. */
  cookies: Record<'super' | Role, string>;
  /** The municipality whose staff the role cookies belong to. */
  partyId: string;
  urlFor(route: string): string;
}

const hrefs = (html: string, re: RegExp) => [...html.matchAll(/href="([^"]+)"/g)].map((m) => m[1]!.replace(/&amp;/g, '&')).filter((h) => re.test(h));

export async function buildRouteFixtures(s: TestApp): Promise<RouteFixtures> {
  const db = s.t.db;
  const get = async (url: string) => {
    const res = await s.app.inject({ url });
    if (res.statusCode !== 200) throw new Error(`${url} answered ${res.statusCode}: the demo is not what route-fixtures expects`);
    return res.body;
  };
  // Public: from the demo, by following the links its pages show.
  const strangnas = await get('/kommun/strangnas/2022-2023');
  const hash = hrefs(strangnas, /^\/v\//)[0]!.slice(3);
  const reportKey = hrefs(strangnas, /\/uppfoljning\/ar-\d{4}$/)[0]!.split('/').pop()!;
  const apiId = hrefs(strangnas, /^\/api\/v1\/pledges\//)[0]!.split('/').pop()!;
  const indicatorId = hrefs(await get('/kommun/stromsund'), /^\/indikatorer\/[0-9a-f-]{36}$/)[0]!.split('/').pop()!;

  // Admin: a draft pledge and everything hanging off it (as in test/e2e/admin-axe.browser.test.ts).
  const built = await buildPledge(db, { state: 'draft' });
  const fa = built.pledge.focusAreas[0]!;
  const c = fa.commitments[0]!;
  const signed = await buildPledge(db, { state: 'signed' });
  const version = (await findSignedVersion(db, signed.pledge.id))!;
  const operator = await signedInAs(db, { superadmin: true });
  const viewer = await signedInAs(db, { role: 'viewer', partyId: built.municipality.id });
  const siteId = '00000000-0000-4000-8000-00000000a001';
  await insertSite(db, { id: siteId, partyId: built.municipality.id, code: 'RW', name: 'Rundverket', district: 'Rund', population: 5000, isDemo: false }, new Date().toISOString());
  const deps = { db, clock: () => new Date() };
  const importId = await startImport(deps, { partyId: built.municipality.id, filename: 'rw.csv', source: 'cli', actor: null, actorLabel: 'route-walk' });
  await readImport(deps, importId, 'site_code;sample_date;flow_m3_per_day;substance;concentration_ng_per_l;loq_ng_per_l\nRW;2024-04-02;1500;amfetamin;300;5\n');
  const indicator = await defineIndicator(deps, { partyId: built.municipality.id, code: 'otrygghet', name: 'Andelen som känner sig otrygga', unit: 'percent', direction: 'down', source: 'trygghetsmatning', level: 'municipality' }, { actor: null, label: 'test' });
  const indicatorLink = await linkIndicator(deps, null, indicator.id, { place: `fa:${fa.id}`, baselineValue: '24', baselineYear: '2021', targetValue: '18', targetYear: '2025' }, { actor: null, label: 'test' });
  const asOperator = { userId: operator.user.id, name: operator.user.name, email: operator.user.email, partyId: null, role: null, isSuperadmin: true };
  const update = await reportActivityUpdate(deps, asOperator, c.activities[1]!.id, { version: '1', status: 'in_progress', statusReason: 'Rundvandring', narrative: 'En rapport' });
  const meetingPledge = await buildPledge(db, { state: 'signed' });
  const meeting = await scheduleMeeting(deps, { actor: asOperator }, meetingPledge.pledge.id, { heldOn: '2025-04-08', location: 'Stadshuset' });
  await addAttendee(deps, { actor: asOperator }, meeting.id, { organisation: 'Polisen', name: 'Pia Polis', roleTitle: 'Kommunpolis' });
  await addDecision(deps, { actor: asOperator }, meeting.id, { text: 'Fler kontroller.', activityId: meetingPledge.pledge.focusAreas[0]!.commitments[0]!.activities[0]!.id });

  const params: Record<string, string> = {
    // public
    ':slug': 'strangnas',
    ':period': '2022-2023',
    ':n': '1',
    ':hash': hash,
    ':key': reportKey,
    ':kommunkod': '0486',
    ':token': 'ogiltig-lank',
    ':partySlug': 'strangnas',
    '/indikatorer/:id': indicatorId,
    '/api/v1/pledges/:id': apiId,
    // admin
    '/admin/moten/:id': meeting.id,
    '/admin/avloppsvatten/:partyId': built.municipality.id,
    '/admin/avloppsvatten/import/:id': importId,
    '/admin/avloppsvatten/matpunkter/:id': siteId,
    '/admin/indikatorer/:id': indicator.id,
    '/admin/indikatorkopplingar/:id': indicatorLink,
    '/admin/loften/:id': built.pledge.id,
    '/admin/versioner/:id': version.id,
    '/admin/fokusomraden/:id': fa.id,
    '/admin/atagande/:id': c.id,
    '/admin/aktiviteter/:id': c.activities[1]!.id,
    '/admin/undertecknare/:id': built.pledge.signatories[0]!.id,
    '/admin/parter/:id': built.municipality.id,
    '/admin/parter/:partyId': built.municipality.id,
    '/admin/anvandare/:id': viewer.user.id,
    '/admin/historik/:type/:id': `pledge/${built.pledge.id}`,
    '/admin/aktivitetsrapporter/:id': update.id,
  };
  const cookies = { super: operator.cookie } as Record<'super' | Role, string>;
  for (const role of ['admin', 'editor', 'reporter', 'viewer'] as Role[]) cookies[role] = (await signedInAs(db, { role, partyId: built.municipality.id })).cookie;

  function urlFor(route: string): string {
    if (params[route]) return route.startsWith('/admin/historik') ? `/admin/historik/${params[route]}` : route.replace(/:[a-zA-Z]+$/, params[route]!);
    let url = route;
    // Longest prefix pattern first: "/admin/loften/:id" fills "/admin/loften/:id/moten" too.
    for (const [pattern, value] of Object.entries(params).filter(([p]) => p.startsWith('/')).sort((a, b) => b[0].length - a[0].length)) {
      if (url.startsWith(`${pattern}/`) || url.startsWith(`${pattern}.`)) url = pattern.replace(/:[a-zA-Z]+$/, value) + url.slice(pattern.length);
    }
    return url.replace(/:([a-zA-Z]+)/g, (m) => params[m] ?? m);
  }
  return { params, cookies, partyId: built.municipality.id, urlFor };
}
