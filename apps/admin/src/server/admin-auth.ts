/**
 * Admin sign-in: first-run setup, scrypt-hashed passwords, server-side sessions in a cookie, and CSRF
 * protection (a token bound to a cookie, echoed in the `x-milepost-csrf` header on every write).
 */
import { createHash, randomBytes, scrypt as scryptCallback, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { z } from 'zod';
import type { AdminApp, AdminContext, AdminEnv, SignedInAdmin } from './admin-context.js';
import type { Database } from './database.js';
import { HttpError, readBody } from './http-errors.js';

const scrypt = promisify(scryptCallback) as (
  password: string,
  salt: Buffer,
  length: number,
  options: object,
) => Promise<Buffer>;

const SESSION_COOKIE = 'milepost_session';
const CSRF_COOKIE = 'milepost_csrf';
export const CSRF_HEADER = 'x-milepost-csrf';
const SESSION_DAYS = 7;
const SCRYPT = { N: 16384, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
/** Failed sign-ins allowed per e-mail in a window before answering 429. */
const MAX_FAILURES = 5;
const FAILURE_WINDOW_MS = 5 * 60_000;

/** `scrypt$N$r$p$salt$hash`, so the cost can be raised later without breaking stored hashes. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scrypt(password.normalize('NFKC'), salt, 32, SCRYPT);
  return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64'), hash.toString('base64')].join('$');
}

/** True when `password` matches `stored`; constant time in the hash comparison. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const actual = await scrypt(password.normalize('NFKC'), Buffer.from(salt, 'base64'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    maxmem: SCRYPT.maxmem,
  });
  return timingSafeEqual(actual, expected);
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const token = () => randomBytes(32).toString('base64url');

const credentialsSchema = z.strictObject({
  email: z.email('must be an e-mail address').max(254),
  password: z.string().max(1024),
});
const setupSchema = credentialsSchema.extend({
  password: z.string().min(12, 'must be at least 12 characters').max(1024),
});

/** Creates the first admin; refuses when one exists. */
export async function createFirstAdmin(
  database: Database,
  email: string,
  password: string,
): Promise<SignedInAdmin> {
  const passwordHash = await hashPassword(password);
  return database.transaction(async (transaction) => {
    // One admin account is created by setup; the lock makes two racing setups end with one winner.
    await transaction.exec('lock table admins in exclusive mode');
    const existing = await transaction.query('select 1 from admins limit 1');
    if (existing.length > 0) {
      throw new HttpError(409, 'CONFLICT', 'an admin account exists already; sign in instead');
    }
    const [row] = await transaction.query<{ id: number; email: string }>(
      'insert into admins (email, password_hash) values ($1, $2) returning id, email',
      [email.toLowerCase(), passwordHash],
    );
    if (!row) throw new Error('insert returned no row');
    return { id: row.id, email: row.email };
  });
}

/** Whether first-run setup is still to be done. */
export async function setupRequired(database: Database): Promise<boolean> {
  return (await database.query('select 1 from admins limit 1')).length === 0;
}

function secureCookies(context: AdminContext): boolean {
  return context.config.publicUrl.startsWith('https:');
}

/**
 * Reads the session cookie into `admin` and makes sure a CSRF token exists; rejects writes under
 * `/api` whose `x-milepost-csrf` header does not match.
 */
export function sessionMiddleware(context: AdminContext): MiddlewareHandler<AdminEnv> {
  return async (c, next) => {
    let csrf = getCookie(c, CSRF_COOKIE);
    if (!csrf || csrf.length < 32) {
      csrf = token();
      setCookie(c, CSRF_COOKIE, csrf, {
        httpOnly: true,
        sameSite: 'Lax',
        path: '/',
        secure: secureCookies(context),
      });
    }
    c.set('csrfToken', csrf);
    c.set('admin', undefined);
    const sessionToken = getCookie(c, SESSION_COOKIE);
    if (sessionToken) {
      const [row] = await context.database.query<{ id: number; email: string; csrf_token: string }>(
        `select a.id, a.email, s.csrf_token from sessions s join admins a on a.id = s.admin_id
          where s.token_hash = $1 and s.expires_at > $2`,
        [sha256(sessionToken), context.now()],
      );
      if (row) {
        c.set('admin', { id: row.id, email: row.email });
        c.set('csrfToken', row.csrf_token);
      }
    }
    const method = c.req.method;
    if (c.req.path.startsWith('/api/') && method !== 'GET' && method !== 'HEAD') {
      const sent = c.req.header(CSRF_HEADER) ?? '';
      const expected = c.get('csrfToken');
      if (sent.length !== expected.length || !timingSafeEqual(Buffer.from(sent), Buffer.from(expected))) {
        throw new HttpError(
          403,
          'CSRF_FAILED',
          `missing or wrong ${CSRF_HEADER} header; reload the page (the token comes from GET /api/session)`,
        );
      }
    }
    await next();
  };
}

/** Answers 401 under `/api` unless signed in, except the session and sign-in routes. */
export function requireAdmin(): MiddlewareHandler<AdminEnv> {
  const open = new Set(['/api/session', '/api/setup', '/api/login']);
  return async (c, next) => {
    if (c.req.path.startsWith('/api/') && !open.has(c.req.path) && !c.get('admin')) {
      throw new HttpError(401, 'UNAUTHENTICATED', 'sign in first');
    }
    await next();
  };
}

/** The signed-in admin (routes behind {@link requireAdmin}). */
export function signedIn(c: Context<AdminEnv>): SignedInAdmin {
  const admin = c.get('admin');
  if (!admin) throw new HttpError(401, 'UNAUTHENTICATED', 'sign in first');
  return admin;
}

async function startSession(
  c: Context<AdminEnv>,
  context: AdminContext,
  admin: SignedInAdmin,
): Promise<void> {
  const sessionToken = token();
  const expires = new Date(context.now().getTime() + SESSION_DAYS * 86_400_000);
  // The CSRF token carries over from the pre-session cookie, so the page's token stays valid.
  await context.database.query(
    'insert into sessions (token_hash, admin_id, csrf_token, expires_at) values ($1, $2, $3, $4)',
    [sha256(sessionToken), admin.id, c.get('csrfToken'), expires],
  );
  setCookie(c, SESSION_COOKIE, sessionToken, {
    httpOnly: true,
    sameSite: 'Lax',
    path: '/',
    secure: secureCookies(context),
    expires,
  });
}

/** `GET /api/session`, `POST /api/setup`, `POST /api/login`, `POST /api/logout`. */
export function registerAuthRoutes(app: AdminApp, context: AdminContext): void {
  const failures = new Map<string, number[]>();

  app.get('/api/session', async (c) => {
    const admin = c.get('admin');
    return c.json({
      setupRequired: await setupRequired(context.database),
      user: admin ? { email: admin.email } : null,
      csrfToken: c.get('csrfToken'),
    });
  });

  app.post('/api/setup', async (c) => {
    const body = await readBody(c, setupSchema);
    const admin = await createFirstAdmin(context.database, body.email, body.password);
    await startSession(c, context, admin);
    context.log(`admin account created for ${admin.email}`);
    return c.json({ user: { email: admin.email } }, 201);
  });

  app.post('/api/login', async (c) => {
    const body = await readBody(c, credentialsSchema);
    const email = body.email.toLowerCase();
    const now = context.now().getTime();
    const recent = (failures.get(email) ?? []).filter((at) => now - at < FAILURE_WINDOW_MS);
    if (recent.length >= MAX_FAILURES) {
      throw new HttpError(
        429,
        'TOO_MANY_ATTEMPTS',
        'too many failed sign-ins; wait five minutes and try again',
      );
    }
    const [row] = await context.database.query<{ id: number; email: string; password_hash: string }>(
      'select id, email, password_hash from admins where email = $1',
      [email],
    );
    if (!row || !(await verifyPassword(body.password, row.password_hash))) {
      failures.set(email, [...recent, now]);
      throw new HttpError(401, 'INVALID_CREDENTIALS', 'the e-mail or password is wrong');
    }
    failures.delete(email);
    await startSession(c, context, { id: row.id, email: row.email });
    return c.json({ user: { email: row.email } });
  });

  app.post('/api/logout', async (c) => {
    const sessionToken = getCookie(c, SESSION_COOKIE);
    if (sessionToken) {
      await context.database.query('delete from sessions where token_hash = $1', [sha256(sessionToken)]);
    }
    deleteCookie(c, SESSION_COOKIE, { path: '/' });
    return c.body(null, 204);
  });
}
