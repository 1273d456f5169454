import http from 'node:http';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { connect } from '../../src/db/connect.js';
import { createUser } from '../../src/features/accounts/account-service.js';
import { createPostgresUrl, createSqliteUrl, targets } from '../support/databases.js';
import { buildMunicipality } from '../support/factories.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';

/**
 * The operations side of a real `loften serve`: JSON logs with request ids and no secrets, the
 * admin listener, and a graceful shutdown with a request in flight. inject() cannot show any of
 * these: they are about the process, its sockets and its output.
 */

const PASSWORD = 'Korrekt-hast-batteri-9';

/** A user who logs in with a password, created beside the running server through its database. */
async function userWithPassword(databaseUrl: string): Promise<string> {
  const database = await connect(databaseUrl);
  try {
    const party = await buildMunicipality(database.db);
    const email = `drift.${Date.now()}@example.se`;
    await createUser(database.db, { email, name: 'Drift', partyId: party.id, role: 'admin', isSuperadmin: false, password: PASSWORD }, null, { actorLabel: 'test' });
    return email;
  } finally {
    await database.close();
  }
}

/** The login form's CSRF token and the cookie that goes with it. */
async function loginForm(base: string, requestId: string): Promise<{ token: string; cookie: string }> {
  const res = await fetch(`${base}/logga-in`, { headers: { 'x-request-id': requestId } });
  expect(res.status).toBe(200);
  const token = /name="_csrf" value="([^"]+)"/.exec(await res.text())?.[1];
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith('loften_csrf='))?.split(';')[0];
  if (!token || !cookie) throw new Error('no CSRF token on /logga-in');
  return { token, cookie };
}

/** Resolves once `pattern` shows up in the process's output. */
async function waitForOutput(server: ServerProcess, pattern: RegExp): Promise<void> {
  while (!pattern.test(server.output())) {
    if (server.child.exitCode !== null || server.child.signalCode !== null) throw new Error(`the process ended before ${pattern}:\n${server.output()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Resolves with the error code of a fresh TCP connection, or "connected". */
function tryConnect(url: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect({ host: hostname, port: Number(port) });
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
}

/**
 * A login POST whose body arrives in two halves: between them the request is genuinely in flight
 * (headers read, handler waiting for the body). Sent over a keep-alive agent, as a load balancer does.
 */
function slowLogin(base: string, form: { token: string; cookie: string }, email: string, requestId: string, agent: http.Agent) {
  const body = new URLSearchParams({ email, password: PASSWORD, _csrf: form.token }).toString();
  const { hostname, port } = new URL(base);
  let res!: (r: { status: number; setCookie: string[]; connection: string | undefined }) => void;
  let rej!: (e: Error) => void;
  const response = new Promise<{ status: number; setCookie: string[]; connection: string | undefined }>((a, b) => {
    res = a;
    rej = b;
  });
  const req = http.request(
    {
      host: hostname,
      port: Number(port),
      method: 'POST',
      path: '/logga-in',
      agent,
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body), cookie: form.cookie, 'x-request-id': requestId },
    },
    (r) => {
      r.resume();
      r.on('end', () => res({ status: r.statusCode!, setCookie: ([] as string[]).concat(r.headers['set-cookie'] ?? []), connection: r.headers.connection }));
    },
  );
  req.on('error', rej);
  const half = Math.floor(body.length / 2);
  req.write(body.slice(0, half));
  req.flushHeaders();
  return { response, finish: () => req.end(body.slice(half)), abort: () => req.destroy() };
}

const parseJsonLines = (out: string) =>
  out
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);

for (const target of targets) {
  // Each test starts real processes, ~10 s each on a busy two-core machine.
  describe.skipIf(target.skip)(`a real server's logs, admin listener and shutdown on ${target.name}`, { timeout: 120_000 }, () => {
    let server: ServerProcess | null = null;
    let cleanup: (() => unknown) | null = null;
    const agents: http.Agent[] = [];

    async function start(env: Record<string, string> = {}): Promise<{ server: ServerProcess; databaseUrl: string }> {
      const made = target.name === 'sqlite' ? await createSqliteUrl() : await createPostgresUrl();
      cleanup = made.cleanup;
      server = await startServerProcess({ databaseUrl: made.url, env: { LOG_LEVEL: 'info', ...env }, timeoutMs: 60_000 });
      return { server, databaseUrl: made.url };
    }

    function keepAliveAgent(): http.Agent {
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      agents.push(agent);
      return agent;
    }

    afterEach(async () => {
      for (const a of agents.splice(0)) a.destroy();
      await server?.stop('SIGKILL');
      server = null;
      await cleanup?.();
      cleanup = null;
    });

    it('writes one JSON object a line, each request’s lines with its id, and never the password, cookies or reset token', async () => {
      const { server, databaseUrl } = await start({ ADMIN_PORT: '0' });
      const email = await userWithPassword(databaseUrl);
      const form = await loginForm(server.url, 'log-form');
      const login = await fetch(`${server.url}/logga-in`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: form.cookie, 'x-request-id': 'log-login' },
        body: new URLSearchParams({ email, password: PASSWORD, _csrf: form.token }).toString(),
      });
      expect(login.status).toBe(303);
      expect(login.headers.get('x-request-id')).toBe('log-login');
      const session = login.headers.getSetCookie().find((c) => c.startsWith('loften_session='))!.split(';')[0]!;
      const sessionValue = session.split('=')[1]!;
      expect(sessionValue.length).toBeGreaterThan(10);

      const admin = await fetch(`${server.url}/admin`, { headers: { cookie: `${session}; ${form.cookie}`, 'x-request-id': 'log-admin' } });
      expect(admin.status).toBe(200);
      const resetToken = 'aterstallningstoken-som-inte-far-loggas';
      await fetch(`${server.url}/aterstall/${resetToken}`, { headers: { 'x-request-id': 'log-reset' } });
      const forged = await fetch(`${server.url}/healthz`, { headers: { 'x-request-id': 'bad id"} {"level":"fatal"}' } });
      expect(forged.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);

      // The admin listener: probes and metrics without a token; the main port has no /metrics without one.
      const adminUrl = /Drift \(\/healthz, \/readyz, \/metrics\) på (http:\/\/\S+)/.exec(server.output())![1]!.replace('localhost', '127.0.0.1');
      expect((await fetch(`${adminUrl}/readyz`)).status).toBe(200);
      const metrics = await fetch(`${adminUrl}/metrics`);
      expect(metrics.status).toBe(200);
      const text = await metrics.text();
      expect(text).toMatch(/http_requests_total\{method="POST",route="\/logga-in",status="303"\} 1/);
      expect(text).toMatch(/http_requests_total\{method="GET",route="\/admin",status="200"\} 1/);
      expect((await fetch(`${adminUrl}/admin`)).status).toBe(404);
      expect((await fetch(`${server.url}/metrics`)).status).toBe(404);

      expect(await server.stop('SIGTERM')).toBe(0);
      const out = server.output();
      const lines = parseJsonLines(out);
      expect(lines.length).toBeGreaterThan(8);
      for (const l of lines) {
        expect(typeof l.level).toBe('string');
        expect(typeof l.time).toBe('string');
        expect(typeof l.msg).toBe('string');
        if (l.msg === 'incoming request' || l.msg === 'request completed') expect(l.reqId).toEqual(expect.any(String));
      }
      for (const id of ['log-form', 'log-login', 'log-admin', 'log-reset']) {
        const mine = lines.filter((l) => l.reqId === id);
        expect(mine.map((l) => l.msg), id).toEqual(expect.arrayContaining(['incoming request', 'request completed']));
      }
      // Probes are polled every few seconds: their successes write nothing.
      expect(lines.some((l) => (l.req as { url?: string } | undefined)?.url === '/healthz')).toBe(false);
      expect(out).toContain('/aterstall/***');
      for (const secret of [PASSWORD, sessionValue, form.cookie.split('=')[1]!, form.token, resetToken]) expect(out).not.toContain(secret);
      expect(lines.map((l) => l.msg)).toEqual(expect.arrayContaining(['signal received', 'shut down cleanly']));
    });

    it('on SIGTERM stops accepting, finishes the request in flight, closes its keep-alive connection and exits 0', async () => {
      const { server, databaseUrl } = await start();
      const email = await userWithPassword(databaseUrl);
      const form = await loginForm(server.url, 'form');
      const slow = slowLogin(server.url, form, email, 'in-flight', keepAliveAgent());
      await waitForOutput(server, /"reqId":"in-flight"[^\n]*"incoming request"/);

      const exited = server.stop('SIGTERM');
      await waitForOutput(server, /"msg":"shutting down/);
      let refused = await tryConnect(server.url);
      while (refused === 'connected') refused = await tryConnect(server.url);
      expect(refused).toBe('ECONNREFUSED');
      expect(server.child.exitCode).toBeNull();

      slow.finish();
      const r = await slow.response;
      expect(r.status).toBe(303);
      expect(r.setCookie.some((c) => c.startsWith('loften_session='))).toBe(true);
      expect(r.connection).toBe('close');
      expect(await exited).toBe(0);
      expect(server.output()).toContain('"msg":"shut down cleanly"');
    });

    it('gives up with exit 1 on a second signal, and at SHUTDOWN_TIMEOUT_SECONDS when a request never finishes', async () => {
      const { server: first } = await start();
      const form = await loginForm(first.url, 'form');
      const stuck = slowLogin(first.url, form, 'x@example.se', 'stuck-1', keepAliveAgent());
      stuck.response.catch(() => {});
      await waitForOutput(first, /"reqId":"stuck-1"[^\n]*"incoming request"/);
      first.child.kill('SIGTERM');
      await waitForOutput(first, /"msg":"shutting down/);
      expect(await first.stop('SIGTERM')).toBe(1);
      expect(first.output()).toContain('second signal');
      stuck.abort();
      await cleanup?.();

      const { server: second } = await start({ SHUTDOWN_TIMEOUT_SECONDS: '1' });
      const form2 = await loginForm(second.url, 'form');
      const never = slowLogin(second.url, form2, 'x@example.se', 'stuck-2', keepAliveAgent());
      never.response.catch(() => {});
      await waitForOutput(second, /"reqId":"stuck-2"[^\n]*"incoming request"/);
      expect(await second.stop('SIGTERM')).toBe(1);
      expect(second.output()).toContain('shutdown deadline passed');
      never.abort();
    });
  });
}
