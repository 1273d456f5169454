export interface AllowEntry {
  /** GHSA id, e.g. GHSA-xxxx-xxxx-xxxx. */
  advisory: string;
  /** The package the advisory is about. */
  package: string;
  /** Why it does not apply here. */
  why: string;
  /** YYYY-MM-DD: after this the entry fails CI and has to be looked at again. */
  until: string;
}
export function judgeAudit(report: unknown, allowList: AllowEntry[], today: string): { status: 'passed' | 'failed' | 'unavailable'; lines: string[] };
