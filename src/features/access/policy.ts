import type { Role } from '../../db/schema.js';
import { AppError } from '../../platform/errors.js';
import type { WorkingState } from '../pledges/pledge.js';

/**
 * The one place that decides who may do what. Routes, use-cases and views ask `can`/`authorize`;
 * none of them compares roles itself. The matrix test in test/integration/permissions.test.ts
 * exercises every admin route against every role, for the actor's own party and another.
 */

export interface Actor {
  userId: string;
  name: string;
  email: string;
  partyId: string | null;
  role: Role | null;
  isSuperadmin: boolean;
}

export interface PledgeRef {
  state: WorkingState;
  partyIds: readonly string[];
}

export type Permission =
  | { action: 'party.create' }
  | { action: 'party.update'; partyId: string }
  | { action: 'user.manage'; partyId: string }
  | { action: 'pledge.create'; partyIds: readonly string[] }
  | { action: 'pledge.read'; pledge: PledgeRef }
  /** Shared text: title, period, background, signatories, focus areas, commitments, order. */
  | { action: 'pledge.edit'; pledge: PledgeRef }
  /** An activity's own text, target, schedule; and creating or removing one. */
  | { action: 'activity.edit'; pledge: PledgeRef; ownerPartyId: string }
  /** Reporting status and progress on an activity, also after signing. */
  | { action: 'activity.report'; pledge: PledgeRef; ownerPartyId: string }
  /** Acknowledging or commenting on an update: the other parties of the pledge, never the owner. */
  | { action: 'activity.respond'; pledge: PledgeRef; ownerPartyId: string }
  /** Freezing a draft for signing, withdrawing that, starting an amendment, recording the signing meeting. */
  | { action: 'signing.manage'; pledge: PledgeRef }
  /** Signing one frozen version: only the person designated for one of its signatories. */
  | { action: 'version.sign'; signatoryUserIds: readonly (string | null)[] }
  | { action: 'audit.read'; pledge?: PledgeRef }
  | { action: 'outbox.read' }
  /** See a party's indicators in the admin, including those not linked to any public pledge. */
  | { action: 'indicator.read'; partyId: string }
  /** Define and edit the indicators that measure a party's area. */
  | { action: 'indicator.manage'; partyId: string }
  /** Import values (Kolada, CSV) into a party's indicators. */
  | { action: 'indicator.import'; partyId: string }
  /** Link a party's indicator to a focus area or commitment of a pledge, with baseline and target. */
  | { action: 'indicator.link'; partyId: string; pledge: PledgeRef }
  /** Staff views of a municipality's wastewater results, including districts too small to publish. */
  | { action: 'wastewater.read'; partyId: string }
  /** Importing lab results for the sites of the municipality that owns them. */
  | { action: 'wastewater.import'; partyId: string }
  /** Publication threshold, correction-factor set, site names and publication flags. */
  | { action: 'wastewater.configure'; partyId: string }
  /** Schedule, edit, cancel and close the pledge's Brå meetings; make its year-end report. */
  | { action: 'meeting.manage'; pledge: PledgeRef };

export type Action = Permission['action'];

const EDITORS: readonly Role[] = ['admin', 'editor'];
const REPORTERS: readonly Role[] = ['admin', 'editor', 'reporter'];

function member(actor: Actor, partyIds: readonly string[]): boolean {
  return actor.partyId !== null && partyIds.includes(actor.partyId);
}

function hasRole(actor: Actor, roles: readonly Role[]): boolean {
  return actor.role !== null && roles.includes(actor.role);
}

export function can(actor: Actor | null, p: Permission): boolean {
  if (!actor) return false;
  // Signed text is locked for everyone, the operator included: changing it takes an amendment.
  if ((p.action === 'pledge.edit' || p.action === 'activity.edit') && p.pledge.state !== 'draft') return false;
  if ((p.action === 'activity.report' || p.action === 'indicator.link') && p.pledge.state === 'archived') return false;
  // A signature is personal: nobody, the operator included, signs in someone else's name.
  if (p.action === 'version.sign') return p.signatoryUserIds.includes(actor.userId);
  // A response speaks for a party to the party that reported; the operator belongs to none.
  if (p.action === 'activity.respond')
    return p.pledge.state !== 'archived' && actor.partyId !== null && actor.partyId !== p.ownerPartyId && member(actor, p.pledge.partyIds) && hasRole(actor, REPORTERS);
  if (actor.isSuperadmin) return true;
  switch (p.action) {
    case 'party.create':
      return false;
    case 'party.update':
    case 'user.manage':
      return actor.partyId === p.partyId && actor.role === 'admin';
    case 'pledge.create':
      return member(actor, p.partyIds) && hasRole(actor, EDITORS);
    case 'pledge.read':
      return member(actor, p.pledge.partyIds);
    case 'pledge.edit':
      return p.pledge.state === 'draft' && member(actor, p.pledge.partyIds) && hasRole(actor, EDITORS);
    case 'activity.edit':
      // Each party writes its own activities: the police never edit a municipality's, nor the reverse.
      return p.pledge.state === 'draft' && actor.partyId === p.ownerPartyId && member(actor, p.pledge.partyIds) && hasRole(actor, EDITORS);
    case 'activity.report':
      return p.pledge.state !== 'archived' && actor.partyId === p.ownerPartyId && member(actor, p.pledge.partyIds) && hasRole(actor, REPORTERS);
    case 'signing.manage':
      return p.pledge.state !== 'archived' && member(actor, p.pledge.partyIds) && hasRole(actor, EDITORS);
    case 'audit.read':
      return p.pledge ? member(actor, p.pledge.partyIds) : actor.role === 'admin';
    case 'outbox.read':
      return actor.role === 'admin';
    case 'indicator.read':
      return actor.partyId === p.partyId;
    case 'indicator.manage':
      return actor.partyId === p.partyId && hasRole(actor, EDITORS);
    case 'indicator.import':
      return actor.partyId === p.partyId && hasRole(actor, REPORTERS);
    case 'indicator.link':
      // Outcomes are follow-up, not signed text: links may be added after signing, until the pledge is archived.
      return actor.partyId === p.partyId && member(actor, p.pledge.partyIds) && hasRole(actor, EDITORS);
    case 'wastewater.read':
      return actor.partyId === p.partyId && actor.role !== null;
    case 'wastewater.import':
      return actor.partyId === p.partyId && hasRole(actor, EDITORS);
    case 'wastewater.configure':
      return actor.partyId === p.partyId && actor.role === 'admin';
    case 'meeting.manage':
      // Follow-up of the signed pledge, so it goes on during an amendment; an archived pledge is finished.
      return p.pledge.state !== 'archived' && member(actor, p.pledge.partyIds) && hasRole(actor, EDITORS);
  }
}

export function authorize(actor: Actor | null, p: Permission): void {
  if (!actor) throw new AppError('unauthenticated', 'Du behöver logga in.');
  if (!can(actor, p)) throw new AppError('forbidden', 'Du har inte behörighet att göra det här.');
}
