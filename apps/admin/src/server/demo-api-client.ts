/** A small client of the admin API over HTTP, as a browser would use it (cookies and CSRF header). */

/** A run as `GET /api/runs/:id` answers it (the parts the demo reads). */
export interface RunView {
  id: string;
  status: 'running' | 'succeeded' | 'partial' | 'failed';
  progress: { done: number; total: number };
  errors: Array<{ record: string; message: string }>;
}

/** Signs in and calls the API, failing with the API's own message. */
export function createApiClient(baseUrl: string) {
  const cookies = new Map<string, string>();
  let csrf = '';

  async function raw(method: string, path: string, body?: unknown): Promise<Response> {
    const headers: Record<string, string> = { cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; ') };
    if (method !== 'GET') headers['x-milepost-csrf'] = csrf;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(new URL(path, baseUrl), {
      method,
      headers,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    for (const cookie of response.headers.getSetCookie()) {
      const [pair = ''] = cookie.split(';');
      const index = pair.indexOf('=');
      if (index > 0) cookies.set(pair.slice(0, index), pair.slice(index + 1));
    }
    return response;
  }

  async function call<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    if (!csrf) csrf = ((await (await raw('GET', '/api/session')).json()) as { csrfToken: string }).csrfToken;
    const response = await raw(method, path, body);
    const text = await response.text();
    const parsed = text ? (JSON.parse(text) as unknown) : undefined;
    if (!response.ok) {
      const error = (parsed as { error?: { code?: string; message?: string; issues?: unknown[] } })?.error;
      const issues = error?.issues ? ` ${JSON.stringify(error.issues).slice(0, 500)}` : '';
      throw new Error(
        `${method} ${path}: ${response.status} ${error?.code ?? ''} ${error?.message ?? text}${issues}`,
      );
    }
    return parsed as T;
  }

  return {
    call,
    async signIn(email: string, password: string): Promise<void> {
      await call('POST', '/api/login', { email, password });
    },
    /** Polls a run until it is no longer running. */
    async waitForRun(run: { id: string }, onProgress?: (run: RunView) => void): Promise<RunView> {
      for (;;) {
        const current = await call<RunView>('GET', `/api/runs/${run.id}`);
        onProgress?.(current);
        if (current.status !== 'running') return current;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    },
  };
}
