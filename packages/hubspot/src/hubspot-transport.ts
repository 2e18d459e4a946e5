/**
 * Every HubSpot call goes through here: one `@hubspot/api-client` Client per portal (its `basePath`
 * points at the emulator in tests), the portal's rate limiter, retries by `policyName` and for 5xx
 * with jittered backoff, zod validation of every response, and a count of calls. A call may carry a
 * deadline (interactive callers such as the CRM card have one): no attempt, rate-limit wait or backoff
 * starts that would end past it, and an attempt still in flight at the deadline is abandoned.
 */
import { Client } from '@hubspot/api-client';
import { MilepostError } from '@milepost/core';
import type { z } from 'zod';
import {
  hubSpotDeadlineError,
  hubSpotError,
  parseHubSpotErrorBody,
  redactHubSpotPath,
} from './hubspot-errors.js';
import {
  createHubSpotRateLimiter,
  type HubSpotBudget,
  type HubSpotRateLimiter,
  type HubSpotRateLimits,
  type LimiterClock,
} from './hubspot-rate-limiter.js';

/** What {@link HubSpotTransport.request}'s deadline race answers when the deadline comes first. */
const EXPIRED: unique symbol = Symbol('expired');

/** Settings of {@link createHubSpotTransport}. */
export interface HubSpotTransportOptions {
  /** A private app / static token, or an OAuth access token. */
  accessToken: string | (() => Promise<string>);
  /** Defaults to `https://api.hubapi.com`; the emulator's URL in tests and the demo. */
  baseUrl?: string;
  limits: HubSpotRateLimits;
  /** Attempts per call for retryable failures (429 ten-secondly/secondly, 5xx, network). Default 6. */
  maxAttempts?: number;
  /** Injectable for tests. */
  clock?: LimiterClock;
  random?: () => number;
}

/** One request. */
export interface HubSpotRequest<T> {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  path: string;
  body?: unknown;
  budget?: HubSpotBudget;
  /** Validates the response body; omitted for 204s. */
  schema?: z.ZodType<T>;
  /** Statuses that are answers rather than failures (e.g. 404 when looking something up). */
  accept?: readonly number[];
  /**
   * A time on the transport's clock (epoch milliseconds with the default clock) by which the call
   * settles: no attempt, rate-limit wait or retry backoff starts that would end past it, and an attempt
   * in flight at the deadline is abandoned. The call then fails with the error
   * {@link isHubSpotDeadlineExceeded} recognises.
   */
  deadline?: number;
}

/** A validated response. */
export interface HubSpotResponse<T> {
  status: number;
  body: T;
}

/** The transport of one portal. */
export interface HubSpotTransport {
  request<T = undefined>(request: HubSpotRequest<T>): Promise<HubSpotResponse<T>>;
  limiter: HubSpotRateLimiter;
  /** Calls made (attempts, including retries), by `METHOD path-template`. */
  calls(): { total: number; retries: number };
}

/** Creates the transport of one portal. */
export function createHubSpotTransport(options: HubSpotTransportOptions): HubSpotTransport {
  const clock = options.clock ?? {
    now: () => Date.now(),
    sleep: (milliseconds: number) => new Promise<void>((resolve) => setTimeout(resolve, milliseconds)),
  };
  const random = options.random ?? Math.random;
  const limiter = createHubSpotRateLimiter(options.limits, clock);
  const maxAttempts = options.maxAttempts ?? 6;
  const counts = { total: 0, retries: 0 };
  let client: Client | undefined;
  let clientToken: string | undefined;

  // Credentials are read lazily, per call, so a refreshed OAuth token is picked up.
  const clientFor = async (): Promise<Client> => {
    const token =
      typeof options.accessToken === 'function' ? await options.accessToken() : options.accessToken;
    if (!client || token !== clientToken) {
      client = new Client({
        accessToken: token,
        basePath: options.baseUrl ?? 'https://api.hubapi.com',
        numberOfApiCallRetries: 0,
      });
      clientToken = token;
    }
    return client;
  };

  const backoff = (attempt: number) => Math.round(random() * Math.min(30_000, 500 * 2 ** attempt));

  async function request<T>(spec: HubSpotRequest<T>): Promise<HubSpotResponse<T>> {
    const { deadline } = spec;
    let lastFailure: unknown;
    for (let attempt = 1; ; attempt++) {
      if (!(await limiter.acquire(spec.budget ?? 'standard', deadline)))
        throw hubSpotDeadlineError(spec, attempt - 1, lastFailure);
      counts.total++;
      let answer: { response: Response; text: string } | typeof EXPIRED;
      try {
        answer = await settleBy(send(spec), deadline);
      } catch (cause) {
        // The token source's own answer (a refused OAuth refresh) is not a network failure to retry.
        if (MilepostError.isInstance(cause)) throw cause;
        if (attempt >= maxAttempts) {
          throw new MilepostError({
            code: 'VENDOR_UNAVAILABLE',
            message: `HubSpot did not answer ${spec.method} ${redactHubSpotPath(spec.path)} after ${attempt} attempts: ${(cause as Error).message}`,
            cause,
          });
        }
        lastFailure = cause;
        await backOff(spec, attempt, lastFailure);
        continue;
      }
      if (answer === EXPIRED) throw hubSpotDeadlineError(spec, attempt, lastFailure);
      const { response, text } = answer;
      limiter.observe(response.headers);
      if ((response.status >= 200 && response.status < 300) || spec.accept?.includes(response.status)) {
        // An accepted failure status is an answer without a body worth validating (callers check the status).
        return {
          status: response.status,
          body: response.ok ? parse(spec, response.status, text) : (undefined as T),
        };
      }
      const errorBody = parseHubSpotErrorBody(text);
      const error = hubSpotError(response.status, errorBody, spec);
      if (!error.retryable || attempt >= maxAttempts) throw error;
      lastFailure = error;
      if (response.status === 429) {
        counts.retries++;
        // HubSpot's windows are rolling: wait out the window the policy names before anyone tries again.
        // The limiter refuses the next start when that wait would pass this call's deadline.
        const interval = Number(response.headers.get('x-hubspot-ratelimit-interval-milliseconds')) || 10_000;
        limiter.pauseUntil(clock.now() + (errorBody?.policyName === 'SECONDLY' ? 1_000 : interval));
      } else {
        await backOff(spec, attempt, lastFailure);
      }
    }
  }

  async function send(spec: HubSpotRequest<unknown>): Promise<{ response: Response; text: string }> {
    const response = await (await clientFor()).apiRequest({
      method: spec.method,
      path: spec.path,
      body: spec.body as object | undefined,
      defaultJson: true,
    });
    return { response, text: await response.text() };
  }

  /** Sleeps before the next attempt, unless waking would already be past the call's deadline. */
  async function backOff(spec: HubSpotRequest<unknown>, attempt: number, failure: unknown): Promise<void> {
    const wait = backoff(attempt);
    if (spec.deadline !== undefined && clock.now() + wait >= spec.deadline)
      throw hubSpotDeadlineError(spec, attempt, failure);
    counts.retries++;
    await clock.sleep(wait);
  }

  /**
   * `work`, or {@link EXPIRED} when the deadline comes first. `@hubspot/api-client`'s `apiRequest` takes
   * no abort signal, so an expired attempt is abandoned rather than cancelled: its answer is ignored.
   */
  async function settleBy<R>(work: Promise<R>, deadline: number | undefined): Promise<R | typeof EXPIRED> {
    if (deadline === undefined) return work;
    work.catch(() => undefined); // an abandoned attempt's failure must not surface as unhandled
    let timer: ReturnType<typeof setTimeout> | undefined;
    const expired = new Promise<typeof EXPIRED>((resolve) => {
      timer = setTimeout(() => resolve(EXPIRED), Math.max(0, deadline - clock.now()));
    });
    try {
      return await Promise.race([work, expired]);
    } finally {
      clearTimeout(timer);
    }
  }

  function parse<T>(spec: HubSpotRequest<T>, status: number, text: string): T {
    if (!spec.schema) return undefined as T;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (cause) {
      throw new MilepostError({
        code: 'VENDOR_REJECTED',
        message: `HubSpot answered ${spec.method} ${redactHubSpotPath(spec.path)} with ${status} and a body that is not JSON`,
        cause,
      });
    }
    const parsed = spec.schema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new MilepostError({
        code: 'VENDOR_REJECTED',
        message: `HubSpot's answer to ${spec.method} ${redactHubSpotPath(spec.path)} has an unexpected shape at ${issue?.path.join('.') || 'the top'}: ${issue?.message}`,
      });
    }
    return parsed.data;
  }

  return { request, limiter, calls: () => ({ ...counts }) };
}
