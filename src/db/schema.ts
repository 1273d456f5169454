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
  predecessor_id: string | null;
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
  version: Generated<number>;
}

export interface FocusAreaTable {
  id: string;
  pledge_id: string;
  title: string;
  description: string;
  position: number;
  version: Generated<number>;
}

export interface CommitmentTable {
  id: string;
  focus_area_id: string;
  title: string;
  description: string;
  position: number;
  version: Generated<number>;
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
  version: Generated<number>;
  predecessor_id: string | null;
}

export type Role = 'admin' | 'editor' | 'reporter' | 'viewer';

export interface AppUserTable {
  id: string;
  email: string;
  name: string;
  password_hash: string | null;
  party_id: string | null;
  role: Role | null;
  is_superadmin: number;
  failed_logins: Generated<number>;
  locked_until: string | null;
  disabled_at: string | null;
  created_at: string;
  updated_at: string;
  version: Generated<number>;
}

export interface UserSessionTable {
  id: string;
  user_id: string;
  created_at: string;
  authenticated_at: string;
  last_seen_at: string;
  expires_at: string;
  method: 'password' | 'oidc';
}

export interface LoginThrottleTable {
  key: string;
  window_started_at: string;
  attempts: number;
}

export interface PasswordResetTable {
  id: string;
  user_id: string;
  created_at: string;
  expires_at: string;
  used_at: string | null;
}

export interface MailOutboxTable {
  id: string;
  dedupe_key: string | null;
  to_address: string;
  subject: string;
  body_text: string;
  created_at: string;
  sent_at: string | null;
  error: string | null;
}

export interface PartySsoTable {
  party_id: string;
  issuer_url: string;
  client_id: string;
  client_secret: string | null;
  email_domains: string;
  role_claim: string | null;
  default_role: Role;
  enabled: number;
  created_at: string;
  updated_at: string;
  version: Generated<number>;
}

export interface OidcLoginTable {
  state: string;
  party_id: string;
  code_verifier: string;
  nonce: string;
  return_to: string | null;
  created_at: string;
  expires_at: string;
}

export interface AuditEventTable {
  id: string;
  occurred_at: string;
  actor_user_id: string | null;
  actor_label: string;
  action: string;
  entity_type: string;
  entity_id: string;
  pledge_id: string | null;
  before_json: string | null;
  after_json: string | null;
}

export interface IndicatorTable {
  id: string;
  party_id: string;
  code: string;
  name: string;
  definition: string;
  unit: 'percent' | 'per_100k' | 'count' | 'mg_per_day_per_1000';
  direction: 'up' | 'down';
  source: 'kolada' | 'trygghetsmatning' | 'ntu' | 'can' | 'school_survey' | 'wastewater' | 'local';
  kolada_kpi: string | null;
  source_detail: string;
  level: 'municipality' | 'police_area' | 'district';
  area_name: string | null;
  reporting_lag_months: number;
  is_demo: number;
  created_at: string;
  updated_at: string;
  version: Generated<number>;
}

export interface IndicatorLinkTable {
  id: string;
  indicator_id: string;
  focus_area_id: string | null;
  commitment_id: string | null;
  baseline_value: number | null;
  baseline_year: number | null;
  target_value: number | null;
  target_year: number | null;
  created_at: string;
  updated_at: string;
  removed_at: string | null;
  version: Generated<number>;
}

export interface IndicatorValueTable {
  id: string;
  indicator_id: string;
  period: string;
  gender: 'T' | 'K' | 'M';
  value: number | null;
  status: 'preliminary' | 'final' | 'not_yet_available' | 'suppressed';
  previous_value: number | null;
  previous_status: string | null;
  corrected_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface DB {
  party: PartyTable;
  pledge: PledgeTable;
  pledge_party: PledgePartyTable;
  signatory: SignatoryTable;
  focus_area: FocusAreaTable;
  commitment: CommitmentTable;
  activity: ActivityTable;
  app_user: AppUserTable;
  user_session: UserSessionTable;
  login_throttle: LoginThrottleTable;
  password_reset: PasswordResetTable;
  mail_outbox: MailOutboxTable;
  party_sso: PartySsoTable;
  oidc_login: OidcLoginTable;
  audit_event: AuditEventTable;
  indicator: IndicatorTable;
  indicator_link: IndicatorLinkTable;
  indicator_value: IndicatorValueTable;
}
