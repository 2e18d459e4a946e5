import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  ApiError,
  api,
  decodeApiError,
  decodeIssues,
  onUnauthenticated,
  request,
  setCsrfToken,
} from './api.js';

function jsonResponse(status: number, body: unknown): Response {
  return new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json' },
  });
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('decodeApiError', () => {
  it('reads code, message and issues from the documented error body', () => {
    const error = decodeApiError(422, {
      error: {
        code: 'INVALID_JOURNEY',
        message: 'the journey has 1 problem',
        issues: [
          {
            path: 'stages.2.expectedDays',
            message: 'expected a number',
            line: 14,
            column: 5,
            severity: 'error',
          },
        ],
      },
    });
    expect(error).toBeInstanceOf(ApiError);
    expect(error.code).toBe('INVALID_JOURNEY');
    expect(error.status).toBe(422);
    expect(error.message).toBe('the journey has 1 problem');
    expect(error.issues).toEqual([
      { path: 'stages.2.expectedDays', message: 'expected a number', line: 14, column: 5, severity: 'error' },
    ]);
  });

  it('gives a usable error for a body that is not the error shape (a proxy page, an empty 502)', () => {
    for (const body of ['<html>Bad gateway</html>', undefined, { message: 'no' }, { error: 'text' }]) {
      const error = decodeApiError(502, body);
      expect(error.code).toBe('UNEXPECTED_RESPONSE');
      expect(error.status).toBe(502);
      expect(error.message).toContain('502');
      expect(error.issues).toEqual([]);
    }
  });

  it('drops issue entries that are not issues and defaults a missing path', () => {
    expect(
      decodeIssues([
        { message: 'kept' },
        'text',
        null,
        { path: 'a' },
        { path: 'b', message: 'm', line: '3' },
      ]),
    ).toEqual([
      { path: '', message: 'kept' },
      { path: 'b', message: 'm' },
    ]);
    expect(decodeIssues('not a list')).toEqual([]);
  });
});

describe('request', () => {
  it('sends the CSRF header and same-origin credentials on non-GET requests only', async () => {
    const fetchMock = vi.fn(async () => jsonResponse(200, { ok: true, issues: [] }));
    vi.stubGlobal('fetch', fetchMock);
    setCsrfToken('token-1');
    await api.validateJourney('key: x');
    await api.journeys();
    const [postUrl, post] = fetchMock.mock.calls[0] as unknown as [string, RequestInit];
    const [, get] = fetchMock.mock.calls[1] as unknown as [string, RequestInit];
    expect(postUrl).toBe('/api/journeys/validate');
    expect(post.credentials).toBe('same-origin');
    expect((post.headers as Record<string, string>)['x-milepost-csrf']).toBe('token-1');
    expect(JSON.parse(post.body as string)).toEqual({ source: 'key: x' });
    expect(get.credentials).toBe('same-origin');
    expect((get.headers as Record<string, string>)['x-milepost-csrf']).toBeUndefined();
  });

  it('rejects with the typed error and tells listeners about a 401', async () => {
    vi.stubGlobal('fetch', async () =>
      jsonResponse(401, { error: { code: 'UNAUTHENTICATED', message: 'sign in' } }),
    );
    const listener = vi.fn();
    const stop = onUnauthenticated(listener);
    await expect(request('/api/journeys')).rejects.toMatchObject({ code: 'UNAUTHENTICATED', status: 401 });
    expect(listener).toHaveBeenCalledTimes(1);
    stop();
  });

  it('does not treat a wrong password as a lost session', async () => {
    vi.stubGlobal('fetch', async () =>
      jsonResponse(401, { error: { code: 'INVALID_CREDENTIALS', message: 'wrong email or password' } }),
    );
    const listener = vi.fn();
    const stop = onUnauthenticated(listener);
    await expect(api.login('a@example.com', 'x')).rejects.toMatchObject({ code: 'INVALID_CREDENTIALS' });
    expect(listener).not.toHaveBeenCalled();
    stop();
  });

  it('refreshes the CSRF token once and retries when the server says CSRF_FAILED', async () => {
    const answers = [
      jsonResponse(403, { error: { code: 'CSRF_FAILED', message: 'stale token' } }),
      jsonResponse(200, { setupRequired: false, user: null, csrfToken: 'fresh' }),
      jsonResponse(200, { user: { email: 'a@example.com' } }),
    ];
    const fetchMock = vi.fn(async () => answers.shift()!);
    vi.stubGlobal('fetch', fetchMock);
    setCsrfToken('stale');
    await expect(api.login('a@example.com', 'correct horse battery')).resolves.toEqual({
      user: { email: 'a@example.com' },
    });
    const retry = fetchMock.mock.calls[2] as unknown as [string, RequestInit];
    expect((retry[1].headers as Record<string, string>)['x-milepost-csrf']).toBe('fresh');
  });

  it('answers undefined for 204 and a network failure as NETWORK_ERROR', async () => {
    vi.stubGlobal('fetch', async () => new Response(null, { status: 204 }));
    await expect(api.logout()).resolves.toBeUndefined();
    vi.stubGlobal('fetch', async () => {
      throw new TypeError('Failed to fetch');
    });
    await expect(api.journeys()).rejects.toMatchObject({ code: 'NETWORK_ERROR', status: 0 });
  });

  it('encodes path segments and leaves empty query parameters out', async () => {
    const fetchMock = vi.fn(async () => new Response('<svg/>', { status: 200 }));
    vi.stubGlobal('fetch', fetchMock);
    await expect(api.mapSvg('on/boarding', '')).resolves.toBe('<svg/>');
    await api.mapSvg('onboarding', 'economic buyer');
    expect(fetchMock.mock.calls.map((call) => (call as unknown as [string])[0])).toEqual([
      '/api/journeys/on%2Fboarding/map.svg',
      '/api/journeys/onboarding/map.svg?persona=economic+buyer',
    ]);
  });
});
