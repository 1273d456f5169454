import type { Executor } from '../../db/executor.js';
import type { Role } from '../../db/schema.js';
import { AppError } from '../../platform/errors.js';
import type { Mailer } from '../mail/mailer.js';
import { findPartyBySlug } from '../pledges/pledge-repo.js';
import { createUser, sendPasswordLink, type AccountDeps } from './account-service.js';
import { email as EmailSchema, roleLabel } from './user.js';
import { findUserByEmail } from './user-repo.js';

/** `loften user add`: the operator's way to create accounts, above all the first administrator. */

export const CLI_ACTOR_LABEL = 'loften user add';

export interface CliUserAdd {
  email: string;
  name?: string;
  /** A party slug and a role, or `superadmin`. */
  party?: string;
  role?: Role;
  superadmin: boolean;
  /** Mail a link to choose a password instead of setting one. */
  sendReset: boolean;
}

/** Field messages as one line, without the field paths the operator never typed. */
function oneLine(err: unknown): never {
  if (err instanceof AppError && err.code === 'validation_failed' && err.fields.length > 0)
    throw new AppError('validation_failed', [...new Set(err.fields.map((f) => f.message))].join(' '));
  throw err;
}

export async function addUserFromCli(
  deps: AccountDeps & { mailer: Mailer },
  args: CliUserAdd,
  password: () => Promise<string>,
): Promise<{ lines: string[]; warnings: string[] }> {
  const email = EmailSchema.safeParse(args.email);
  if (!email.success) throw new AppError('validation_failed', `Ogiltig e-postadress: ${args.email}.`);
  const party = args.superadmin ? null : await findPartyBySlug(deps.db, args.party ?? '');
  if (!args.superadmin && !party) throw new AppError('validation_failed', `Det finns ingen part med kortnamnet ${args.party}.`);
  if (await findUserByEmail(deps.db, email.data)) throw new AppError('validation_failed', `Det finns redan en användare med ${email.data}.`);

  // Only now ask for the password, so a typo in the other flags does not cost one.
  const plain = args.sendReset ? null : await password();
  const user = await createUser(
    deps.db,
    {
      email: email.data,
      name: args.name?.trim() || email.data.split('@')[0]!,
      partyId: party?.id ?? null,
      role: args.superadmin ? null : (args.role ?? null),
      isSuperadmin: args.superadmin,
      password: plain,
    },
    null,
    { actorLabel: CLI_ACTOR_LABEL, now: deps.clock() },
  ).catch(oneLine);

  const what = user.isSuperadmin ? 'superadministratör' : `${roleLabel[user.role!].toLocaleLowerCase('sv')} för ${party!.name}`;
  const lines = [`Användaren ${user.email} är tillagd som ${what}.`];
  const warnings: string[] = [];
  if (args.sendReset) {
    const { link } = await sendPasswordLink(deps, user.id, null, { actorLabel: CLI_ACTOR_LABEL });
    if (!deps.mailer.smtp) {
      warnings.push(`SMTP_URL är inte satt, så ingen e-post skickades. Meddelandet ligger i utkorgen. Länken (gäller i tre dygn): ${link}`);
    } else {
      await deps.mailer.flush(deps.db);
      const row = await outboxRowTo(deps.db, user.email);
      if (row?.sent_at) lines.push(`En länk för att välja lösenord har skickats till ${user.email}.`);
      else warnings.push(`Länken kunde inte skickas (${row?.error ?? 'okänt fel'}). Den ligger i utkorgen och skickas när servern försöker igen.`);
    }
  }
  return { lines, warnings };
}

async function outboxRowTo(db: Executor, to: string) {
  return db.selectFrom('mail_outbox').select(['sent_at', 'error']).where('to_address', '=', to).orderBy('created_at', 'desc').executeTakeFirst();
}

/**
 * The new password: LOFTEN_PASSWORD if set, else standard in when it is not a terminal (the first
 * line), else asked for twice at the terminal without echo.
 */
export async function readPassword(env: NodeJS.ProcessEnv = process.env, stdin: NodeJS.ReadStream = process.stdin): Promise<string> {
  if (env.LOFTEN_PASSWORD) return env.LOFTEN_PASSWORD;
  if (!stdin.isTTY) {
    let data = '';
    stdin.setEncoding('utf8');
    for await (const chunk of stdin) data += chunk as string;
    const first = data.split(/\r?\n/)[0] ?? '';
    if (first === '') throw new AppError('validation_failed', 'Inget lösenord på standard in. Ange det där, i LOFTEN_PASSWORD, eller använd --send-reset.');
    return first;
  }
  const a = await promptHidden('Lösenord (minst 12 tecken): ', stdin);
  const b = await promptHidden('Samma lösenord igen: ', stdin);
  if (a !== b) throw new AppError('validation_failed', 'Lösenorden är inte likadana. Försök igen.');
  return a;
}

function promptHidden(prompt: string, stdin: NodeJS.ReadStream): Promise<string> {
  process.stderr.write(prompt);
  stdin.setRawMode(true);
  stdin.setEncoding('utf8');
  stdin.resume();
  return new Promise((resolve, reject) => {
    let buf = '';
    const done = (err: Error | null) => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
      if (err) reject(err);
      else resolve(buf);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') return done(null);
        if (ch === '\u0003') return done(new AppError('validation_failed', 'Avbrutet.'));
        if (ch === '\u007f' || ch === '\b') buf = [...buf].slice(0, -1).join('');
        else buf += ch;
      }
    };
    stdin.on('data', onData);
  });
}
