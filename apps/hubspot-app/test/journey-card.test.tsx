import {
  Alert,
  Button,
  ErrorState,
  LoadingButton,
  LoadingSpinner,
  StatusTag,
  Text,
  Tile,
} from '@hubspot/ui-extensions';
import { createRenderer } from '@hubspot/ui-extensions/testing';
import { describe, expect, it, vi } from 'vitest';
import { JourneyCard } from '../src/app/cards/JourneyCard.tsx';
import type { MilepostFetch } from '../src/app/cards/milepost-client.ts';
import { cardState, jsonResponse } from './card-fixtures.ts';

const BASE = 'https://cs.example.com';
const COMPANY = { objectTypeId: '0-2', objectId: 901 };

/** A fake `hubspot.fetch` answering from a queue, recording the calls. */
function fakeFetch(...answers: Array<() => Response | Promise<Response>>) {
  return vi.fn<MilepostFetch>(async () => {
    const next = answers.shift();
    if (!next) throw new Error('no answer queued');
    return next();
  });
}

function renderCard(fetch: MilepostFetch, onChanged = vi.fn()) {
  const renderer = createRenderer('crm.record.tab');
  renderer.render(
    <JourneyCard layout="tab" crm={COMPANY} fetch={fetch} baseUrl={BASE} onChanged={onChanged} />,
  );
  return { ...renderer, onChanged };
}

describe('JourneyCard with the admin server', () => {
  it('loads the card of the record through hubspot.fetch and shows it', async () => {
    const fetch = fakeFetch(() => jsonResponse(200, cardState({ sla: 'behind' })));
    const { find, maybeFind, waitFor } = renderCard(fetch);
    expect(maybeFind(LoadingSpinner)).not.toBeNull();
    await waitFor(() => expect(find(StatusTag).text).toBe('Behind'));
    expect(fetch).toHaveBeenCalledWith(`${BASE}/hubspot/card?objectType=companies&objectId=901`, {
      method: 'GET',
      timeout: 14_000,
    });
  });

  it('marks a manual milestone achieved after confirmation, shows the new state and refreshes the record', async () => {
    const after = cardState({
      milestones: cardState().milestones.map((milestone) =>
        milestone.key === 'training-done'
          ? { ...milestone, status: 'achieved', achievedAt: '2026-11-22T10:00:00Z' }
          : milestone,
      ),
      whatsNext: 'Get two more users active.',
    });
    const fetch = fakeFetch(
      () => jsonResponse(200, cardState()),
      () => jsonResponse(200, after),
    );
    const { findByTestId, maybeFindByTestId, find, waitFor, onChanged } = renderCard(fetch);
    await waitFor(() => expect(maybeFindByTestId(Button, 'achieve-training-done')).not.toBeNull());

    findByTestId(Button, 'achieve-training-done').trigger('onClick');
    await waitFor(() => expect(maybeFindByTestId(Tile, 'confirmation')).not.toBeNull());
    // Nothing is written before the user confirms.
    expect(fetch).toHaveBeenCalledTimes(1);

    find(LoadingButton).trigger('onClick');
    await waitFor(() => expect(findByTestId(Text, 'whats-next').text).toBe('Get two more users active.'));
    expect(fetch).toHaveBeenLastCalledWith(`${BASE}/hubspot/card/actions`, {
      method: 'POST',
      timeout: 14_000,
      body: {
        objectType: 'companies',
        objectId: '901',
        action: 'achieve-milestone',
        milestone: 'training-done',
      },
    });
    expect(maybeFindByTestId(Tile, 'confirmation')).toBeNull();
    expect(maybeFindByTestId(Button, 'achieve-training-done')).toBeNull();
    expect(onChanged).toHaveBeenCalledOnce();
  });

  it('moves the record to the next stage after confirmation', async () => {
    const fetch = fakeFetch(
      () => jsonResponse(200, cardState()),
      () => jsonResponse(200, cardState({ whatsNext: 'Prepare the renewal.' })),
    );
    const { findByTestId, maybeFindByTestId, find, waitFor } = renderCard(fetch);
    await waitFor(() => expect(maybeFindByTestId(Button, 'advance-stage')).not.toBeNull());
    findByTestId(Button, 'advance-stage').trigger('onClick');
    await waitFor(() =>
      expect(findByTestId(Tile, 'confirmation').find(Text).text).toBe('Move this customer to Renewal?'),
    );
    find(LoadingButton).trigger('onClick');
    await waitFor(() => expect(findByTestId(Text, 'whats-next').text).toBe('Prepare the renewal.'));
    expect(fetch.mock.calls[1]?.[1]?.body).toEqual({
      objectType: 'companies',
      objectId: '901',
      action: 'advance-stage',
    });
  });

  it('cancelling the confirmation calls nothing', async () => {
    const fetch = fakeFetch(() => jsonResponse(200, cardState()));
    const { findByTestId, maybeFindByTestId, waitFor } = renderCard(fetch);
    await waitFor(() => expect(maybeFindByTestId(Button, 'advance-stage')).not.toBeNull());
    findByTestId(Button, 'advance-stage').trigger('onClick');
    await waitFor(() => expect(maybeFindByTestId(Tile, 'confirmation')).not.toBeNull());
    findByTestId(Button, 'cancel').trigger('onClick');
    await waitFor(() => expect(maybeFindByTestId(Tile, 'confirmation')).toBeNull());
    expect(fetch).toHaveBeenCalledTimes(1);
  });

  it('keeps the state and shows the reason when an action fails', async () => {
    const fetch = fakeFetch(
      () => jsonResponse(200, cardState()),
      () =>
        jsonResponse(409, {
          error: { code: 'CONFLICT', message: 'The stage changed in HubSpot; reload the card.' },
        }),
    );
    const { findByTestId, maybeFindByTestId, find, waitFor, onChanged } = renderCard(fetch);
    await waitFor(() => expect(maybeFindByTestId(Button, 'advance-stage')).not.toBeNull());
    findByTestId(Button, 'advance-stage').trigger('onClick');
    await waitFor(() => expect(maybeFindByTestId(Tile, 'confirmation')).not.toBeNull());
    find(LoadingButton).trigger('onClick');
    await waitFor(() =>
      expect(maybeFindByTestId(Alert, 'action-error')?.text).toBe(
        'The stage changed in HubSpot; reload the card.',
      ),
    );
    expect(maybeFindByTestId(Tile, 'confirmation')).toBeNull();
    expect(findByTestId(Button, 'advance-stage').props.disabled).toBe(false);
    expect(onChanged).not.toHaveBeenCalled();
    expect(findByTestId(Text, 'whats-next').text).toBe(cardState().whatsNext);
  });

  it('retries after a network error', async () => {
    const fetch = fakeFetch(
      () => {
        throw new Error('Request timed out');
      },
      () => jsonResponse(200, cardState()),
    );
    const { find, findByTestId, maybeFind, waitFor } = renderCard(fetch);
    await waitFor(() => expect(maybeFind(ErrorState)).not.toBeNull());
    expect(find(ErrorState).find(Text).text).toBe(
      'Milepost could not be reached (Request timed out). Try again.',
    );
    findByTestId(Button, 'retry').trigger('onClick');
    await waitFor(() => expect(find(StatusTag).text).toBe('On track'));
    expect(fetch).toHaveBeenCalledTimes(2);
  });

  it('asks to reinstall when the portal token was revoked', async () => {
    const fetch = fakeFetch(() =>
      jsonResponse(403, {
        error: { code: 'NEEDS_REINSTALL', message: 'The token for portal 4455 was revoked.' },
      }),
    );
    const { find, maybeFind, findByTestId, waitFor } = renderCard(fetch);
    await waitFor(() => expect(maybeFind(ErrorState)).not.toBeNull());
    expect(find(ErrorState).props.title).toBe('Milepost needs to be reinstalled');
    expect(findByTestId(Button, 'reinstall').props.href).toEqual({
      url: `${BASE}/hubspot/install`,
      external: true,
    });
  });
});
