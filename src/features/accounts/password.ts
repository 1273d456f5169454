import argon2 from 'argon2';

/** argon2id with the library's defaults (64 MiB, t=3, p=4), which meet OWASP's current advice. */
export function hashPassword(plain: string): Promise<string> {
  return argon2.hash(plain, { type: argon2.argon2id });
}

export async function verifyPassword(hash: string, plain: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, plain);
  } catch {
    return false;
  }
}

// Verified against when the e-mail is unknown, so a wrong address costs as long as a wrong password.
let dummy: Promise<string> | null = null;
export async function burnPasswordCheck(plain: string): Promise<void> {
  dummy ??= hashPassword('inte ett riktigt lösenord');
  await verifyPassword(await dummy, plain);
}

export const MIN_PASSWORD_LENGTH = 12;
