import { z } from 'zod';
import type { Role } from '../../db/schema.js';
import { MIN_PASSWORD_LENGTH } from './password.js';

export const ROLES = ['admin', 'editor', 'reporter', 'viewer'] as const satisfies readonly Role[];

export interface User {
  id: string;
  email: string;
  name: string;
  partyId: string | null;
  role: Role | null;
  isSuperadmin: boolean;
  hasPassword: boolean;
  failedLogins: number;
  lockedUntil: string | null;
  disabledAt: string | null;
  version: number;
}

export const email = z
  .string()
  .trim()
  .toLowerCase()
  .max(254, 'E-postadressen är för lång.')
  .pipe(z.email('Ange en giltig e-postadress.'));

export const MAX_PASSWORD_LENGTH = 200;
const MIN_DISTINCT_CHARACTERS = 5;

/**
 * Password rules (docs/decisions/accounts.md): length is what counts, so at least 12 characters
 * and no rules about digits or symbols; a passphrase is welcome. Refused: a single character
 * repeated or nearly so, and passwords that contain the site's name.
 */
export const password = z
  .string()
  .min(MIN_PASSWORD_LENGTH, { error: `Lösenordet måste ha minst ${MIN_PASSWORD_LENGTH} tecken.`, abort: true })
  .max(MAX_PASSWORD_LENGTH, { error: `Lösenordet får ha högst ${MAX_PASSWORD_LENGTH} tecken.`, abort: true })
  .refine((p) => new Set(p.toLocaleLowerCase('sv')).size >= MIN_DISTINCT_CHARACTERS, 'Lösenordet är för enformigt. Använd till exempel några ord i en mening.')
  .refine((p) => !/medborgarl(ö|o)fte/i.test(p), 'Lösenordet får inte innehålla webbplatsens namn.');

/** The rule that needs to know whose password it is. Returns a Swedish message, or null. */
export function passwordProblemFor(plain: string, userEmail: string): string | null {
  return plain.toLocaleLowerCase('sv').includes(userEmail.toLocaleLowerCase('sv')) ? 'Lösenordet får inte innehålla din e-postadress.' : null;
}

const name = z.string().trim().min(1, 'Ange ett namn.').max(200, 'Namnet får ha högst 200 tecken.');
const role = z.enum(ROLES, 'Välj en roll.');

export const NewUserInput = z
  .object({
    email,
    name,
    partyId: z.uuid('Välj en part.').nullable().default(null),
    role: role.nullable().default(null),
    isSuperadmin: z.boolean().default(false),
    password: password.nullable().default(null),
  })
  .refine((u) => u.isSuperadmin || (u.partyId && u.role), {
    path: ['role'],
    message: 'En användare hör till en part och har en roll.',
  });
export type NewUserInput = z.input<typeof NewUserInput>;

/** The administrator's "new user" form: always a party and a role, never a superadmin. */
export const StaffUserInput = z.object({
  email,
  name,
  partyId: z.uuid('Välj en part.'),
  role,
});

const STALE_FORM = 'Formuläret saknar en giltig version. Ladda om sidan och försök igen.';

/** What an administrator may change on an existing account, with the version the form was based on. */
export const UserUpdateInput = z.object({
  name,
  /** Absent for superadmins, who have no party role. */
  role: role.nullable().default(null),
  version: z.coerce.number(STALE_FORM).int(STALE_FORM).min(1, STALE_FORM),
});
export type UserUpdateInput = z.input<typeof UserUpdateInput>;

export const roleLabel: Record<Role, string> = {
  admin: 'Administratör',
  editor: 'Redaktör',
  reporter: 'Rapportör',
  viewer: 'Läsare',
};

export const roleDescription: Record<Role, string> = {
  admin: 'Allt en redaktör får, och hanterar partens användare.',
  editor: 'Skriver och ändrar löften som utkast.',
  reporter: 'Rapporterar hur partens aktiviteter går.',
  viewer: 'Läser partens löften, även utkast.',
};
