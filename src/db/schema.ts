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
  /** Origins allowed to frame the embed, one per line (CSP frame-ancestors). */
  embed_origins: Generated<string>;
  embed_accent_color: string | null;
  embed_logo_url: string | null;
  embed_heading_level: Generated<number>;
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
  /** The account that signs for this signatory in the app. */
  user_id: string | null;
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

export type VersionState = 'awaiting_signatures' | 'signed' | 'superseded' | 'withdrawn';

export interface PledgeVersionTable {
  id: string;
  pledge_id: string;
  number: number;
  state: VersionState;
  title: string;
  starts_on: string;
  ends_on: string;
  period_slug: string;
  /** JSON of the frozen pledge, ids included; the hash covers its content without ids. */
  document: string;
  content_hash: string;
  frozen_at: string;
  frozen_by: string;
  signed_at: string | null;
  /** When the version stopped being current: superseded by a newer one, or withdrawn unsigned. */
  closed_at: string | null;
  meeting_on: string | null;
  meeting_kind: 'digital' | 'physical' | null;
  meeting_note: string | null;
  version: Generated<number>;
}

export interface SignatureTable {
  id: string;
  version_id: string;
  signatory_id: string;
  party_id: string;
  user_id: string | null;
  signer_name: string;
  role_title: string;
  method: string;
  content_hash: string;
  signed_at: string;
  evidence_json: string | null;
}

type ActivityStatusValue = ActivityTable['status'];

export interface ActivityUpdateTable {
  id: string;
  activity_id: string;
  pledge_id: string;
  party_id: string;
  author_user_id: string | null;
  author_name: string;
  reported_on: string;
  created_at: string;
  status: ActivityStatusValue;
  previous_status: ActivityStatusValue;
  status_reason: string | null;
  outcome_value: number | null;
  outcome_unit: string | null;
  /** JSON: [{ label, value }] with non-negative integer values. */
  counts_json: string | null;
  narrative: Generated<string>;
  evidence_url: string | null;
  evidence_label: string | null;
  corrects_update_id: string | null;
}

export interface ActivityUpdateResponseTable {
  id: string;
  update_id: string;
  party_id: string;
  author_user_id: string | null;
  author_name: string;
  kind: 'acknowledge' | 'comment';
  comment: Generated<string>;
  created_at: string;
}

export interface FollowUpMeetingTable {
  id: string;
  pledge_id: string;
  held_on: string;
  title: string;
  location: string | null;
  state: 'planned' | 'closed' | 'cancelled';
  minutes: Generated<string>;
  created_at: string;
  updated_at: string;
  closed_at: string | null;
  version: Generated<number>;
}

export interface FollowUpAttendeeTable {
  id: string;
  meeting_id: string;
  organisation: string;
  name: string;
  role_title: string | null;
  position: number;
}

export interface FollowUpDecisionTable {
  id: string;
  meeting_id: string;
  activity_id: string | null;
  text: string;
  position: number;
}

export interface FollowUpReportTable {
  id: string;
  pledge_id: string;
  meeting_id: string | null;
  kind: 'meeting' | 'year_end';
  report_date: string;
  year: number | null;
  previous_report_id: string | null;
  snapshot_json: string;
  created_at: string;
  created_by: string;
}

export interface WastewaterSettingsTable {
  party_id: string;
  publication_threshold: number;
  correction_set: string;
  updated_at: string;
  version: Generated<number>;
}

export interface WastewaterSiteTable {
  id: string;
  party_id: string;
  code: string;
  name: string;
  district: string;
  population: number;
  is_published: number;
  is_demo: number;
  created_at: string;
  updated_at: string;
  version: Generated<number>;
}

export type WastewaterImportStatus = 'reading' | 'ready' | 'failed' | 'applying' | 'done' | 'discarded';

export interface WastewaterImportTable {
  id: string;
  party_id: string;
  filename: string;
  source: 'upload' | 'cli' | 'demo';
  status: WastewaterImportStatus;
  is_dry_run: Generated<number>;
  phase: string | null;
  bytes_read: Generated<number>;
  bytes_total: number | null;
  rows_read: Generated<number>;
  rows_new: Generated<number>;
  rows_unchanged: Generated<number>;
  rows_corrected: Generated<number>;
  samples_new: Generated<number>;
  samples_corrected: Generated<number>;
  sites_new: Generated<number>;
  first_date: string | null;
  last_date: string | null;
  error_line: number | null;
  error_column: string | null;
  error_message: string | null;
  created_by_user_id: string | null;
  actor_label: string;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
  /** The process reading or applying it (0007); its heartbeat is updated_at. */
  worker_id: string | null;
}

export interface WastewaterSampleTable {
  site_id: string;
  sample_date: string;
  flow_m3_per_day: number;
  population: number;
  import_id: string | null;
  created_at: string;
  updated_at: string;
}

export interface WastewaterMeasurementTable {
  site_id: string;
  sample_date: string;
  substance: string;
  concentration_ng_per_l: number | null;
  loq_ng_per_l: number | null;
  below_loq: number;
  import_id: string | null;
  updated_at: string;
}

export interface WastewaterImportRowTable {
  import_id: string;
  line: number;
  site_code: string;
  sample_date: string;
  substance: string;
  concentration_ng_per_l: number | null;
  loq_ng_per_l: number | null;
  below_loq: number;
}

export interface WastewaterImportSampleTable {
  import_id: string;
  site_code: string;
  sample_date: string;
  line: number;
  flow_m3_per_day: number;
  population: number | null;
  population_line: number | null;
  district: string | null;
  substances: number;
  duplicate_line: number | null;
  conflict_line: number | null;
  conflict_column: 'flow' | 'population' | null;
}

export interface WastewaterUploadChunkTable {
  import_id: string;
  seq: number;
  data: Buffer;
}

export interface WastewaterCorrectionTable {
  import_id: string;
  site_id: string;
  sample_date: string;
  substance: string;
  line: number;
  old_flow: number | null;
  new_flow: number | null;
  old_population: number | null;
  new_population: number | null;
  old_concentration: number | null;
  new_concentration: number | null;
  old_loq: number | null;
  new_loq: number | null;
  old_below_loq: number | null;
  new_below_loq: number | null;
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
  pledge_version: PledgeVersionTable;
  signature: SignatureTable;
  activity_update: ActivityUpdateTable;
  activity_update_response: ActivityUpdateResponseTable;
  follow_up_meeting: FollowUpMeetingTable;
  follow_up_attendee: FollowUpAttendeeTable;
  follow_up_decision: FollowUpDecisionTable;
  follow_up_report: FollowUpReportTable;
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
  wastewater_settings: WastewaterSettingsTable;
  wastewater_site: WastewaterSiteTable;
  wastewater_import: WastewaterImportTable;
  wastewater_sample: WastewaterSampleTable;
  wastewater_measurement: WastewaterMeasurementTable;
  wastewater_import_row: WastewaterImportRowTable;
  wastewater_import_sample: WastewaterImportSampleTable;
  wastewater_upload_chunk: WastewaterUploadChunkTable;
  wastewater_correction: WastewaterCorrectionTable;
}
