import { existsSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from './config.js';
import { connect, DatabaseUnavailableError, sqliteFileOf } from './db/connect.js';
import { MigrationError, migrateToLatest } from './db/migrate.js';
import { addUserFromCli, readPassword } from './features/accounts/cli-user.js';
import { ROLES } from './features/accounts/user.js';
import { seedDemo } from './features/demo/seed.js';
import { createMailer } from './features/mail/mailer.js';
import { presentPledge } from './features/pledges/pledge-presenter.js';
import { getPledgeForExport } from './features/pledges/pledge-service.js';
import { swedishDate } from './features/pledges/pledge.js';
import { findSignedVersionForPdf, renderSignedPdf } from './features/publishing/pdf/signed-pdf.js';
import { AppError } from './platform/errors.js';
import { ArchiveRefusedError, BackupFileError } from './features/archive/archive-errors.js';
import { storageProblem } from './db/executor.js';
import { INDICATORS_HELP, indicatorsCommand } from './features/indicators/cli-indicators.js';
import { WASTEWATER_HELP } from './features/wastewater/cli-help.js';
import { sendReminders } from './features/follow-up/reminders.js';

/** `loften`: the operator's command line. Every command is a thin shell over the same use-cases as HTTP. */

class UsageError extends Error {}

const HELP: Record<string, string> = {
  main: `loften – Medborgarlöften

Användning: loften <kommando> [flaggor]

Kommandon:
  serve                       Starta webbservern (migrerar databasen först)
  migrate                     Kör databasmigreringar
  seed --demo                 Lägg in exempeldata (Strängnäs, Vingåker, Strömsund)
  export pledge <id> --format json
                              Skriv ut ett helt medborgarlöfte som JSON
  export pdf --municipality KORTNAMN --period PERIOD --out FIL [--version N]
                              Spara det undertecknade löftet som PDF
  user add --email ADRESS (--party KORTNAMN --role ROLL | --superadmin)
                              Lägg till en användare, t.ex. den första administratören
  indicators import-kolada FIL --municipality KOMMUNKOD
  indicators import-csv FIL --party KORTNAMN
                              Importera värden till indikatorer (Kolada-JSON eller CSV)
  wastewater import FIL --municipality KOMMUNKOD [--dry-run]
                              Importera labbresultat för avloppsvatten (CSV)
  wastewater summary --municipality KOMMUNKOD [--substance …] [--from … --to …] --format json
                              Skriv ut avloppsvattensiffrorna som API:t visar dem
  reminders send [--dry-run]  Skicka påminnelser inför Brå-möten
  backup FIL [--force]        Gör en säkerhetskopia av databasen (även medan servern körs)
  restore FIL                 Återställ en säkerhetskopia till en tom databas
  export --all KATALOG        Arkivexport: alla register som JSON och CSV, alla PDF:er, SHA-256

Databasen väljs med DATABASE_URL (standard sqlite:./data/loften.db).
Skriv "loften <kommando> --help" för mer om ett kommando.`,
  serve: `Användning: loften serve [--no-demo] [--port N] [--host ADRESS]

Startar webbservern. En tom databas får exempeldata, om inte --no-demo anges
eller LOFTEN_DEMO=false.

  --no-demo        Starta utan exempeldata
  --port N         Port (standard PORT eller 3000)
  --host ADRESS    Adress att lyssna på (standard HOST eller 127.0.0.1)

Drift: /healthz och /readyz för lastbalanserare, /metrics (Prometheus) med
METRICS_TOKEN, eller utan token på en egen port med ADMIN_PORT (och ADMIN_HOST).
SIGTERM stänger ner snällt: pågående anrop och importer görs klara, sedan
stängs databasen. En andra signal, eller SHUTDOWN_TIMEOUT_SECONDS (25), avslutar direkt.`,
  migrate: `Användning: loften migrate

Kör alla migreringar som inte har körts mot databasen i DATABASE_URL.`,
  seed: `Användning: loften seed --demo

Lägger in de delar av exempeldatan som saknas. Går att köra flera gånger.`,
  export: `Användning: loften export pledge <id> --format json
       loften export pdf --municipality KORTNAMN --period PERIOD --out FIL [--version N]
       loften export --all KATALOG

export pledge skriver ut ett medborgarlöfte, med alla parter, fokusområden, löften
och aktiviteter, som JSON på standard ut. Även utkast kan exporteras härifrån.

export pdf sparar den undertecknade PDF:en, samma som på /kommun/KORTNAMN/PERIOD.pdf:
den gällande undertecknade versionen, eller version N med --version. Bara
undertecknade versioner har en PDF. Kontrolladressen i den bygger på PUBLIC_BASE_URL.

  --municipality KORTNAMN  Kommunens kortnamn i adressen, t.ex. strangnas
  --period PERIOD          T.ex. 2022-2023
  --out FIL                Filen som PDF:en sparas i
  --version N              En viss undertecknad version (standard: den gällande)

export --all skriver en arkivexport till KATALOG, som måste vara ny eller tom: varje
register som en JSON- och en CSV-fil (tables/), PDF:en för varje undertecknad version
och varje uppföljningsrapport (pdf/), manifest.json med storlek, SHA-256 och innehåll
för varje fil, och SHA256SUMS ("sha256sum -c SHA256SUMS" kontrollerar allt).
Lösenord, sessioner, återställningslänkar, IdP-hemligheter, utkorgen och halvfärdiga
importer tas inte med (se manifest.json).`,
  backup: `Användning: loften backup FIL [--force]

Gör en konsekvent säkerhetskopia av databasen i DATABASE_URL, även medan servern
körs. SQLite: en kopia av databasfilen (SQLites backup-API), kontrollerad med
integrity_check. PostgreSQL: loften-backup, gzip-komprimerade JSON-rader lästa i
en enda ögonblicksbild. Filen skrivs under ett tillfälligt namn och byter namn
först när den är klar och kontrollerad.

  --force     Ersätt FIL om den redan finns`,
  restore: `Användning: loften restore FIL

Återställer en säkerhetskopia från "loften backup" (SQLite-fil eller loften-backup,
känns igen på innehållet) till databasen i DATABASE_URL. Databasen måste vara tom:
en databas med rader i vägras (kod 2), inget slås ihop eller skrivs över. Allt sker
i en transaktion: misslyckas något är databasen lika tom som förut. En säkerhetskopia
från en äldre version migreras till den senaste efter återställningen. En SQLite-
kopia går också att återställa till PostgreSQL.`,
  user: `Användning: loften user add --email ADRESS --party KORTNAMN --role ROLL [--name NAMN] [--send-reset]
       loften user add --email ADRESS --superadmin [--name NAMN] [--send-reset]

Lägger till en användare i en part (kortnamnet i adressen, t.ex. strangnas), eller
en superadministratör som hanterar alla parter. Så skapas den första administratören.

  --email ADRESS       Användarens e-postadress (inloggningsnamnet)
  --party KORTNAMN     Parten användaren hör till
  --role ROLL          admin, editor, reporter eller viewer
  --superadmin         I stället för --party och --role
  --name NAMN          Namnet som visas (standard: det som står före @)
  --send-reset         Skicka en länk där användaren själv väljer lösenord (gäller
                       i tre dygn) i stället för att ange ett lösenord här

Lösenordet (minst 12 tecken) läses från LOFTEN_PASSWORD om den är satt, annars
från standard in om den inte är en terminal, annars frågas det efter utan eko.
Länken skickas med SMTP_URL; utan den hamnar den i utkorgen och skrivs ut här.`,
  indicators: INDICATORS_HELP,
  wastewater: WASTEWATER_HELP,
  reminders: `Användning: loften reminders send [--dry-run]

Skickar påminnelser inför planerade Brå-möten: REMINDER_DAYS dagar före mötet
(standard 14 och 3) får var och en som rapporterar för en ansvarig part ett mejl
med partens aktiviteter som saknar uppföljning sedan förra mötet. Varje person
får ett mejl per möte och påminnelsedag, hur många gånger kommandot än körs.
Servern gör samma sak av sig själv (REMINDER_INTERVAL_MINUTES).

  --dry-run    Visa vad som skulle skickas, utan att skicka något

Med SMTP_URL skickas mejlen direkt; utan den hamnar de i utkorgen (/admin/utkorg).`,
};

async function withDatabase<T>(fn: (db: Awaited<ReturnType<typeof connect>>) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const database = await connect(config.databaseUrl);
  try {
    await migrateToLatest(database);
    return await fn(database);
  } finally {
    await database.close();
  }
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    console.log(HELP.main);
    return command ? 0 : 2;
  }
  if (!(command in HELP) || command === 'main') throw new UsageError(`Okänt kommando: ${command}. Skriv "loften --help".`);
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    strict: true,
    options: {
      help: { type: 'boolean', short: 'h' },
      demo: { type: 'boolean' },
      'no-demo': { type: 'boolean' },
      port: { type: 'string' },
      host: { type: 'string' },
      format: { type: 'string' },
      email: { type: 'string' },
      party: { type: 'string' },
      role: { type: 'string' },
      name: { type: 'string' },
      superadmin: { type: 'boolean' },
      'send-reset': { type: 'boolean' },
      municipality: { type: 'string' },
      kpi: { type: 'string' },
      'dry-run': { type: 'boolean' },
      period: { type: 'string' },
      version: { type: 'string' },
      out: { type: 'string' },
      substance: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      measure: { type: 'string' },
      'below-loq': { type: 'string' },
      'amphetamine-correction': { type: 'boolean' },
      force: { type: 'boolean' },
      all: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.log(HELP[command]);
    return 0;
  }

  switch (command) {
    case 'serve': {
      const env = { ...process.env };
      if (values.port !== undefined) env.PORT = values.port;
      if (values.host !== undefined) env.HOST = values.host;
      if (values['no-demo']) env.LOFTEN_DEMO = 'false';
      // The whole app loads only for serve: the other commands start in a fraction of the time.
      const { startServer } = await import('./server.js');
      const config = loadConfig(env);
      const server = await startServer(config);
      console.log(`Medborgarlöften körs på ${server.url}  (databas: ${server.database.describe})`);
      // First signal: graceful stop within SHUTDOWN_TIMEOUT_SECONDS. A second signal, or the
      // deadline, ends the process at once with 1: an orchestrator waiting on it must not wait forever.
      let signals = 0;
      const shutdown = (signal: string) => {
        signals++;
        if (signals > 1) {
          server.app.log.error({ signal }, 'second signal: exiting without finishing');
          console.error(`${signal} igen: avslutar direkt.`);
          process.exit(1);
        }
        console.error(`${signal}: stänger ner …`);
        server.app.log.info({ signal, timeoutSeconds: config.shutdownTimeoutSeconds }, 'signal received');
        const deadline = setTimeout(() => {
          server.app.log.error({ timeoutSeconds: config.shutdownTimeoutSeconds }, 'shutdown deadline passed: exiting without finishing');
          console.error(`Nedstängningen tog mer än ${config.shutdownTimeoutSeconds} s: avslutar direkt.`);
          process.exit(1);
        }, config.shutdownTimeoutSeconds * 1000);
        deadline.unref();
        server.stop().then(
          () => process.exit(0),
          (err: unknown) => {
            console.error(`loften: nedstängningen misslyckades: ${(err as Error)?.message ?? String(err)}`);
            process.exit(1);
          },
        );
      };
      process.on('SIGINT', () => shutdown('SIGINT'));
      process.on('SIGTERM', () => shutdown('SIGTERM'));
      return -1; // keep running
    }
    case 'migrate': {
      const results = await withDatabase(async (d) => migrateToLatest(d));
      console.log(results.length === 0 ? 'Databasen är redan uppdaterad.' : `Körde ${results.length} migrering(ar): ${results.map((r) => r.migrationName).join(', ')}`);
      return 0;
    }
    case 'seed': {
      if (!values.demo) throw new UsageError('Ange --demo. Skriv "loften seed --help".');
      const r = await withDatabase(async (d) => seedDemo(d.db));
      console.log(`Exempeldata: ${r.pledges} nya medborgarlöften, ${r.parties} nya parter.`);
      return 0;
    }
    case 'export': {
      const [what, id] = positionals;
      if (values.all) {
        if (!what || id !== undefined) throw new UsageError('Användning: loften export --all KATALOG');
        const config = loadConfig();
        const publicBaseUrl = config.publicBaseUrl ?? `http://${config.host}:${config.port}`;
        const { exportAll, exportAllSummaryLine } = await import('./features/archive/export-all.js');
        const summary = await withDatabase(async (d) => exportAll(d, what, { publicBaseUrl }));
        console.log(exportAllSummaryLine(summary));
        if (!config.publicBaseUrl) console.error(`loften: PUBLIC_BASE_URL är inte satt, så adresserna i PDF:erna börjar med ${publicBaseUrl}`);
        return 0;
      }
      if (what === 'pdf') {
        const usage = 'Användning: loften export pdf --municipality KORTNAMN --period PERIOD --out FIL [--version N]';
        if (!values.municipality || !values.period || !values.out || id !== undefined) throw new UsageError(usage);
        if (values.version !== undefined && !/^[1-9]\d*$/.test(values.version)) throw new UsageError(`--version ska vara ett versionsnummer, t.ex. 1, inte ${values.version}.`);
        const config = loadConfig();
        const base = config.publicBaseUrl ?? `http://${config.host}:${config.port}`;
        const ref = { slug: values.municipality, period: values.period, ...(values.version ? { version: Number(values.version) } : {}) };
        const { version, pdf } = await withDatabase(async (d) => {
          const v = await findSignedVersionForPdf(d.db, ref, swedishDate(new Date()));
          return { version: v, pdf: await renderSignedPdf(v, base) };
        });
        writeFileSync(values.out, pdf);
        console.log(`Sparade version ${version.number} av ${version.document.title} (${Math.ceil(pdf.length / 1024)} kB) i ${values.out}`);
        if (!config.publicBaseUrl) console.error(`loften: PUBLIC_BASE_URL är inte satt, så kontrolladressen i PDF:en börjar med ${base}`);
        return 0;
      }
      if (what !== 'pledge' || !id) throw new UsageError('Användning: loften export pledge <id> --format json');
      if ((values.format ?? 'json') !== 'json') throw new UsageError(`Formatet ${values.format} stöds inte; använd --format json.`);
      const doc = await withDatabase(async (d) => getPledgeForExport(d.db, id));
      process.stdout.write(`${JSON.stringify(presentPledge(doc), null, 2)}\n`);
      return 0;
    }
    case 'user': {
      const [sub, ...extra] = positionals;
      if (sub !== 'add' || extra.length > 0) throw new UsageError('Användning: loften user add --email ADRESS (--party KORTNAMN --role ROLL | --superadmin). Skriv "loften user --help".');
      if (!values.email) throw new UsageError('Ange --email. Skriv "loften user --help".');
      if (values.superadmin && (values.party !== undefined || values.role !== undefined)) throw new UsageError('En superadministratör hör inte till någon part: ange --superadmin utan --party och --role.');
      if (!values.superadmin && (!values.party || !values.role)) throw new UsageError('Ange både --party och --role, eller --superadmin. Skriv "loften user --help".');
      const role = values.role as (typeof ROLES)[number] | undefined;
      if (role !== undefined && !ROLES.includes(role)) throw new UsageError(`Okänd roll: ${values.role}. Välj admin, editor, reporter eller viewer.`);
      if (values['send-reset'] && process.env.LOFTEN_PASSWORD) throw new UsageError('Ange antingen --send-reset eller ett lösenord i LOFTEN_PASSWORD, inte båda.');
      const config = loadConfig();
      const mailer = createMailer({ smtpUrl: config.smtpUrl, from: config.mailFrom });
      const r = await withDatabase(async (d) =>
        addUserFromCli(
          { db: d.db, mailer, clock: () => new Date(), publicBaseUrl: config.publicBaseUrl },
          { email: values.email!, name: values.name, party: values.party, role, superadmin: values.superadmin ?? false, sendReset: values['send-reset'] ?? false },
          () => readPassword(),
        ),
      );
      for (const line of r.lines) console.log(line);
      for (const w of r.warnings) console.error(`loften: ${w}`);
      return 0;
    }
    case 'indicators': {
      const [sub, file, ...extra] = positionals;
      if (extra.length > 0) throw new UsageError(`För många argument: ${extra.join(' ')}. Skriv "loften indicators --help".`);
      const config = loadConfig();
      const r = await withDatabase(async (d) =>
        indicatorsCommand(d.db, { sub, file, municipality: values.municipality, party: values.party, kpi: values.kpi, dryRun: values['dry-run'] ?? false }, { koladaApiUrl: config.koladaApiUrl }),
      );
      for (const line of r.out) console.log(line);
      for (const line of r.err) console.error(`loften: ${line}`);
      return r.code;
    }
    case 'wastewater': {
      // Loaded only for this command: every other command starts faster without it.
      const { importFromCli, summaryFromCli } = await import('./features/wastewater/cli.js');
      const [sub, ...args] = positionals;
      if (!values.municipality || !/^\d{4}$/.test(values.municipality)) throw new UsageError('Ange --municipality med en kommunkod, t.ex. 0486. Skriv "loften wastewater --help".');
      if (sub === 'import') {
        if (args.length !== 1) throw new UsageError('Ange en fil: loften wastewater import FIL --municipality KOMMUNKOD [--dry-run]');
        const output = { out: (l: string) => console.log(l), err: (l: string) => console.error(l), tty: process.stderr.isTTY === true };
        const staleAfterMs = loadConfig().importStaleMs;
        await withDatabase(async (d) => importFromCli(d.db, output, { file: args[0]!, municipality: values.municipality!, dryRun: values['dry-run'] ?? false, staleAfterMs }));
        return 0;
      }
      if (sub === 'summary') {
        if (args.length > 0) throw new UsageError(`Okänt argument: ${args[0]}. Skriv "loften wastewater --help".`);
        if ((values.format ?? 'json') !== 'json') throw new UsageError(`Formatet ${values.format} stöds inte; använd --format json.`);
        const json = await withDatabase(async (d) =>
          summaryFromCli(d.db, {
            municipality: values.municipality!,
            substance: values.substance,
            from: values.from,
            to: values.to,
            measure: values.measure,
            belowLoq: values['below-loq'],
            amphetamineCorrection: values['amphetamine-correction'],
          }),
        );
        process.stdout.write(json);
        return 0;
      }
      throw new UsageError('Användning: loften wastewater import|summary … Skriv "loften wastewater --help".');
    }
    case 'backup': {
      if (positionals.length !== 1) throw new UsageError('Användning: loften backup FIL [--force]');
      const { backupDatabase, backupSummaryLine } = await import('./features/archive/backup.js');
      // No migrating first: a backup reads the database as it is. Nor creating it: connect() would.
      const url = loadConfig().databaseUrl;
      if (url.startsWith('sqlite:') && !existsSync(sqliteFileOf(url))) throw new UsageError(`Databasen ${sqliteFileOf(url)} finns inte; kontrollera DATABASE_URL.`);
      const database = await connect(url);
      try {
        console.log(backupSummaryLine(await backupDatabase(database, positionals[0]!, { force: values.force ?? false })));
      } finally {
        await database.close();
      }
      return 0;
    }
    case 'restore': {
      if (positionals.length !== 1) throw new UsageError('Användning: loften restore FIL');
      const { restoreDatabase, restoreSummaryLine } = await import('./features/archive/restore.js');
      // No migrating first: restore migrates the target to the backup's migrations itself.
      const database = await connect(loadConfig().databaseUrl);
      try {
        console.log(restoreSummaryLine(await restoreDatabase(database, positionals[0]!), database.describe));
      } finally {
        await database.close();
      }
      return 0;
    }
    case 'reminders': {
      const [sub, ...extra] = positionals;
      if (sub !== 'send' || extra.length > 0) throw new UsageError('Användning: loften reminders send [--dry-run]');
      const config = loadConfig();
      const mailer = createMailer({ smtpUrl: config.smtpUrl, from: config.mailFrom });
      const dryRun = values['dry-run'] ?? false;
      const run = await withDatabase(async (d) =>
        sendReminders({ db: d.db, mailer, publicBaseUrl: config.publicBaseUrl, followUp: { reminderDays: config.reminderDays } }, new Date(), { dryRun }),
      );
      for (const r of run.reminders)
        console.log(`${r.to}: mötet ${r.heldOn} (${r.daysBefore} dagar före), ${r.activities.length} ${r.activities.length === 1 ? 'aktivitet' : 'aktiviteter'}${r.alreadySent ? ', redan skickad' : ''}`);
      const earlier = run.reminders.filter((r) => r.alreadySent).length;
      if (dryRun) console.log(`Torrkörning: ${run.reminders.length - earlier} påminnelser skulle skickas, ${earlier} är redan skickade. Inget skickades.`);
      else {
        console.log(`Påminnelser: ${run.enqueued} nya, ${earlier} redan skickade tidigare.`);
        console.log(mailer.smtp ? `${run.delivered} levererade med SMTP.` : 'Utan SMTP_URL ligger de i utkorgen (/admin/utkorg).');
      }
      return 0;
    }
  }
  return 2;
}

const KNOWN = [ConfigError, DatabaseUnavailableError, MigrationError, AppError, UsageError, ArchiveRefusedError, BackupFileError];

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (err: unknown) => {
    // Expected failures are one line for the operator; only a real bug earns a stack trace.
    if (KNOWN.some((K) => err instanceof K) || (err as { code?: string })?.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      console.error(`loften: ${(err as Error).message}`);
      process.exitCode = err instanceof UsageError || err instanceof ArchiveRefusedError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') ? 2 : 1;
    } else if (storageProblem(err)) {
      // The storage, not the command, is at fault: say which, in one line, and that the write did not happen.
      const what = storageProblem(err) === 'storage_full' ? 'lagringsutrymmet är fullt' : 'databasen är skrivskyddad';
      console.error(`loften: Databasen tar inte emot skrivningar: ${what} (${(err as { code?: string }).code}: ${(err as Error).message}). Den pågående ändringen sparades inte.`);
      process.exitCode = 1;
    } else if ((err as { code?: string })?.code === 'EADDRINUSE') {
      console.error(`loften: porten är upptagen: ${(err as Error).message}`);
      process.exitCode = 1;
    } else {
      console.error(err);
      process.exitCode = 1;
    }
  },
);
