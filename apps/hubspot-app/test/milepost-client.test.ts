import { describe, expect, it, vi } from 'vitest';
import { cardErrorFromBody, isCardState } from '../src/app/cards/card-state.ts';
import {
  cardRecordFromContext,
  createMilepostClient,
  type MilepostFetch,
} from '../src/app/cards/milepost-client.ts';
import { cardState, jsonResponse } from './card-fixtures.ts';

describe('isCardState', () => {
  it('accepts the contract', () => {
    expect(isCardState(cardState())).toBe(true);
    expect(isCardState(cardState({ owner: null, handoff: null, nextMilestone: null }))).toBe(true);
  });

  it.each([
    ['a missing field', () => ({ ...cardState(), whatsNext: undefined })],
    ['an unknown SLA', () => ({ ...cardState(), sla: 'late' })],
    [
      'a path step with an unknown status',
      () => ({ ...cardState(), path: [{ key: 'a', name: 'A', status: 'skipped' }] }),
    ],
    ['a numeric object id', () => ({ ...cardState(), objectId: 901 })],
    [
      'a milestone without manual',
      () => ({ ...cardState(), milestones: [{ ...cardState().milestones[0], manual: undefined }] }),
    ],
    ['days in stage as text', () => ({ ...cardState(), stage: { ...cardState().stage, daysInStage: '6' } })],
    ['an array', () => [cardState()]],
    ['null', () => null],
  ])('rejects %s', (_name, build) => {
    expect(isCardState(build())).toBe(false);
  });
});

describe('cardErrorFromBody', () => {
  it('reads the admin error body and ignores anything else', () => {
    expect(cardErrorFromBody({ error: { code: 'NOT_TRACKED', message: 'run a sync' } })).toEqual({
      code: 'NOT_TRACKED',
      message: 'run a sync',
    });
    expect(cardErrorFromBody({ error: 'NOT_TRACKED' })).toBeNull();
    expect(cardErrorFromBody(undefined)).toBeNull();
  });
});

describe('cardRecordFromContext', () => {
  it('names standard objects as the admin server does and keeps custom object ids', () => {
    expect(cardRecordFromContext({ objectTypeId: '0-2', objectId: 901 })).toEqual({
      objectType: 'companies',
      objectId: '901',
    });
    expect(cardRecordFromContext({ objectTypeId: '0-5', objectId: 77 }).objectType).toBe('tickets');
    expect(cardRecordFromContext({ objectTypeId: '0-3', objectId: 5 }).objectType).toBe('deals');
    expect(cardRecordFromContext({ objectTypeId: '2-3344', objectId: '8' }).objectType).toBe('2-3344');
  });
});

describe('createMilepostClient', () => {
  const record = { objectType: 'companies', objectId: '901' };

  it('GETs the card of the record from the configured admin server', async () => {
    const fetch = vi.fn<MilepostFetch>(async () => jsonResponse(200, cardState()));
    const client = createMilepostClient({ baseUrl: 'https://cs.example.com', fetch });
    const result = await client.getCard(record);
    expect(result).toEqual({ ok: true, state: cardState() });
    expect(fetch).toHaveBeenCalledWith(
      'https://cs.example.com/hubspot/card?objectType=companies&objectId=901',
      {
        method: 'GET',
        timeout: 14_000,
      },
    );
  });

  it('POSTs an action with the contract body', async () => {
    const fetch = vi.fn<MilepostFetch>(async () => jsonResponse(200, cardState()));
    const client = createMilepostClient({ baseUrl: 'https://cs.example.com', fetch });
    await client.runAction({ ...record, action: 'achieve-milestone', milestone: 'training-done' });
    expect(fetch).toHaveBeenCalledWith('https://cs.example.com/hubspot/card/actions', {
      method: 'POST',
      timeout: 14_000,
      body: {
        objectType: 'companies',
        objectId: '901',
        action: 'achieve-milestone',
        milestone: 'training-done',
      },
    });
  });

  it('passes the server error code through', async () => {
    const fetch = vi.fn<MilepostFetch>(async () =>
      jsonResponse(403, {
        error: { code: 'NEEDS_REINSTALL', message: 'The token was revoked; reinstall Milepost.' },
      }),
    );
    const result = await createMilepostClient({ baseUrl: 'https://cs.example.com', fetch }).getCard(record);
    expect(result).toEqual({
      ok: false,
      error: { code: 'NEEDS_REINSTALL', message: 'The token was revoked; reinstall Milepost.' },
    });
  });

  it('reports a failed call as a network error', async () => {
    const fetch = vi.fn<MilepostFetch>(async () => {
      throw new Error('Request timed out');
    });
    const result = await createMilepostClient({ baseUrl: 'https://cs.example.com', fetch }).getCard(record);
    expect(result).toEqual({
      ok: false,
      error: {
        code: 'NETWORK_ERROR',
        message: 'Milepost could not be reached (Request timed out). Try again.',
      },
    });
  });

  it('reports a 5xx without an error body as a network error, retryable', async () => {
    const fetch = vi.fn<MilepostFetch>(async () => new Response('Bad gateway', { status: 502 }));
    const result = await createMilepostClient({ baseUrl: 'https://cs.example.com', fetch }).getCard(record);
    expect(result.ok === false && result.error.code).toBe('NETWORK_ERROR');
  });

  it('does not render an answer that is not a CardState', async () => {
    const fetch = vi.fn<MilepostFetch>(async () => jsonResponse(200, { ...cardState(), sla: 'late' }));
    const result = await createMilepostClient({ baseUrl: 'https://cs.example.com', fetch }).getCard(record);
    expect(result.ok === false && result.error.code).toBe('INVALID_RESPONSE');
  });
});
