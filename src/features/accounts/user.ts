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
  .pipe(z.email('Ange en giltig e-postadress.'));

export const password = z
  .string()
  .min(MIN_PASSWORD_LENGTH, `Lösenordet måste ha minst ${MIN_PASSWORD_LENGTH} tecken.`)
  .max(200, 'Lösenordet får ha högst 200 tecken.');

export const NewUserInput = z
  .object({
    email,
    name: z.string().trim().min(1, 'Ange ett namn.').max(200),
    partyId: z.uuid().nullable().default(null),
    role: z.enum(ROLES).nullable().default(null),
    isSuperadmin: z.boolean().default(false),
    password: password.nullable().default(null),
  })
  .refine((u) => u.isSuperadmin || (u.partyId && u.role), {
    path: ['role'],
    message: 'En användare hör till en part och har en roll.',
  });
export type NewUserInput = z.input<typeof NewUserInput>;

export const roleLabel: Record<Role, string> = {
  admin: 'Administratör',
  editor: 'Redaktör',
  reporter: 'Rapportör',
  viewer: 'Läsare',
};
