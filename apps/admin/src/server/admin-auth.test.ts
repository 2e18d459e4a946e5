import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from './admin-auth.js';
import { createTestAdmin, TEST_PASSWORD, type TestAdmin } from './admin-test-support.js';

describe('admin sign-in', () => {
  let admin: TestAdmin;
  beforeEach(async () => {
    admin = await createTestAdmin();
  });
  afterEach(async () => {
    await admin.close();
  });

  it('asks for first-run setup, then signs the new admin in', async () => {
    const before = await admin.request('GET', '/api/session');
    expect(before.body).toMatchObject({ setupRequired: true, user: null });
    expect(before.body.csrfToken).toMatch(/^[\w-]{43}$/);

    const setup = await admin.request('POST', '/api/setup', {
      email: 'Ada@Example.com',
      password: TEST_PASSWORD,
    });
    expect(setup.status).toBe(201);
    expect(setup.body).toEqual({ user: { email: 'ada@example.com' } });
    const session = setup.headers.getSetCookie().find((cookie) => cookie.startsWith('milepost_session='));
    expect(session).toMatch(/HttpOnly/);
    expect(session).toMatch(/SameSite=Lax/);

    const after = await admin.request('GET', '/api/session');
    expect(after.body).toMatchObject({ setupRequired: false, user: { email: 'ada@example.com' } });
    // The stored hash is scrypt, never the password.
    const [row] = await admin.context.database.query<{ password_hash: string }>(
      'select password_hash from admins',
    );
    expect(row?.password_hash).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(row?.password_hash).not.toContain(TEST_PASSWORD);
  });

  it('refuses a second setup, a short password and a bad e-mail, storing nothing', async () => {
    const short = await admin.request('POST', '/api/setup', { email: 'a@example.com', password: 'short' });
    expect(short.status).toBe(400);
    expect(short.body.error.code).toBe('BAD_REQUEST');
    expect(short.body.error.issues).toEqual([
      { path: 'password', message: 'must be at least 12 characters' },
    ]);
    const badEmail = await admin.request('POST', '/api/setup', { email: 'nope', password: TEST_PASSWORD });
    expect(badEmail.body.error.issues[0].path).toBe('email');
    expect(await admin.context.database.query('select * from admins')).toHaveLength(0);

    await admin.signIn();
    const other = admin.client();
    const second = await other.request('POST', '/api/setup', {
      email: 'eve@example.com',
      password: TEST_PASSWORD,
    });
    expect(second.status).toBe(409);
    expect(await admin.context.database.query('select * from admins')).toHaveLength(1);
  });

  it('signs in with the right password only, and throttles guessing', async () => {
    await admin.signIn();
    const browser = admin.client();
    const wrong = await browser.request('POST', '/api/login', {
      email: 'admin@example.com',
      password: 'wrong password!',
    });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error).toEqual({
      code: 'INVALID_CREDENTIALS',
      message: 'the e-mail or password is wrong',
    });
    expect((await browser.request('GET', '/api/journeys')).status).toBe(401);

    const right = await browser.request('POST', '/api/login', {
      email: 'ADMIN@example.com',
      password: TEST_PASSWORD,
    });
    expect(right.status).toBe(200);
    expect((await browser.request('GET', '/api/journeys')).status).toBe(200);

    const guesser = admin.client();
    for (let attempt = 0; attempt < 5; attempt++) {
      await guesser.request('POST', '/api/login', {
        email: 'admin@example.com',
        password: `guess number ${attempt}`,
      });
    }
    const locked = await guesser.request('POST', '/api/login', {
      email: 'admin@example.com',
      password: TEST_PASSWORD,
    });
    expect(locked.status).toBe(429);
    expect(locked.body.error.code).toBe('TOO_MANY_ATTEMPTS');
  });

  it('rejects writes without the CSRF header, even when signed in', async () => {
    await admin.signIn();
    const forged = await admin.request(
      'POST',
      '/api/journeys',
      { template: 'saas-lifecycle' },
      { csrf: false },
    );
    expect(forged.status).toBe(403);
    expect(forged.body.error.code).toBe('CSRF_FAILED');
    const wrong = await admin.request(
      'POST',
      '/api/journeys',
      { template: 'saas-lifecycle' },
      { csrf: false, headers: { 'x-milepost-csrf': 'x'.repeat(43) } },
    );
    expect(wrong.status).toBe(403);
    expect(await admin.context.database.query('select * from journeys')).toHaveLength(0);
  });

  it('signs out: the session cookie stops working', async () => {
    await admin.signIn();
    expect((await admin.request('POST', '/api/logout')).status).toBe(204);
    expect((await admin.request('GET', '/api/journeys')).status).toBe(401);
    expect(await admin.context.database.query('select * from sessions')).toHaveLength(0);
  });

  it('creates the first admin from MILEPOST_ADMIN_EMAIL and MILEPOST_ADMIN_PASSWORD', async () => {
    const seeded = await createTestAdmin({
      env: { MILEPOST_ADMIN_EMAIL: 'ops@example.com', MILEPOST_ADMIN_PASSWORD: TEST_PASSWORD },
    });
    try {
      expect((await seeded.request('GET', '/api/session')).body.setupRequired).toBe(false);
      await seeded.signIn('ops@example.com');
      expect(seeded.logs.join('\n')).not.toContain(TEST_PASSWORD);
    } finally {
      await seeded.close();
    }
  });

  it('answers 404 with the error body for unknown API routes once signed in', async () => {
    await admin.signIn();
    const response = await admin.request('GET', '/api/nope');
    expect(response.status).toBe(404);
    expect(response.body.error.code).toBe('NOT_FOUND');
  });
});

describe('password hashing', () => {
  it('verifies the password it hashed and nothing else', async () => {
    const stored = await hashPassword('a long enough password');
    expect(await verifyPassword('a long enough password', stored)).toBe(true);
    expect(await verifyPassword('a long enough passwore', stored)).toBe(false);
    expect(await verifyPassword('anything', 'md5$abc')).toBe(false);
    expect(await hashPassword('a long enough password')).not.toBe(stored);
  });
});
