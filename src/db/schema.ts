import type { Generated } from 'kysely';

/**
 * Row types as both drivers hand them back after the normalisation in connect.ts:
 * dates are 'YYYY-MM-DD' strings, timestamps ISO-8601 strings, flags 0/1 integers
 * (better-sqlite3 refuses JS booleans).
 */
export interface PartyTable {
  id: string;
  kind: 'municipality' | 'police_area' | 'partner';
  name: string;
  slug: string;
  municipality_code: string | null;
  county: string | null;
  website_url: string | null;
  is_demo: number;
  created_at: string;
  updated_at: string;
  version: Generated<number>;
}

export interface PledgeTable {
  id: string;
  title: string;
  starts_on: string;
  ends_on: string;
  period_slug: string;
  background: string;
  state: 'draft' | 'signed' | 'archived';
  is_demo: number;
  created_at: string;
  updated_at: string;
  version: Generated<number>;
}

export interface PledgePartyTable {
  pledge_id: string;
  party_id: string;
  position: number;
}

export interface SignatoryTable {
  id: string;
  pledge_id: string;
  party_id: string;
  name: string;
  role_title: string;
  position: number;
}

export interface FocusAreaTable {
  id: string;
  pledge_id: string;
  title: string;
  description: string;
  position: number;
}

export interface CommitmentTable {
  id: string;
  focus_area_id: string;
  title: string;
  description: string;
  position: number;
}

export interface ActivityTable {
  id: string;
  commitment_id: string;
  owner_party_id: string;
  description: string;
  target_value: number | null;
  target_unit: string | null;
  target_text: string | null;
  schedule_starts_on: string | null;
  schedule_ends_on: string | null;
  schedule_text: string | null;
  status: 'planned' | 'in_progress' | 'done' | 'delayed' | 'cancelled';
  position: number;
}

export interface DB {
  party: PartyTable;
  pledge: PledgeTable;
  pledge_party: PledgePartyTable;
  signatory: SignatoryTable;
  focus_area: FocusAreaTable;
  commitment: CommitmentTable;
  activity: ActivityTable;
}
