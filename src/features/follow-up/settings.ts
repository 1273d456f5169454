/** Follow-up settings, from the environment (src/config.ts) or a test; the defaults are the issue's. */
export interface FollowUpSettings {
  /** An activity with no update for longer than this is shown publicly as "ingen uppföljning sedan …". */
  staleAfterDays: number;
  /** Reminders go out this many days before each planned meeting. */
  reminderDays: readonly number[];
}

export const DEFAULT_FOLLOW_UP: FollowUpSettings = { staleAfterDays: 120, reminderDays: [14, 3] };
