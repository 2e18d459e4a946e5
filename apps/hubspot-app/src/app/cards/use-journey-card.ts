/**
 * The journey card's data and actions, kept out of the rendering so the view stays a pure function of
 * {@link JourneyCardModel} and both can be tested on their own.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { CardActionRequest, CardError, CardState } from './card-state.ts';
import type { CardRecord, MilepostClient } from './milepost-client.ts';

/** An action the user asked for and has not confirmed yet. */
export type PendingCardAction =
  | { action: 'achieve-milestone'; milestone: string; milestoneName: string }
  | { action: 'advance-stage'; stageName: string };

/** What the card shows, at any moment. */
export type JourneyCardModel =
  | { status: 'loading' }
  | { status: 'error'; error: CardError }
  | {
      status: 'ready';
      state: CardState;
      /** Waiting for "Confirm" or "Cancel". */
      pending: PendingCardAction | null;
      /** The confirmed action is running. */
      running: boolean;
      /** The last action failed; the state shown is the one before it. */
      actionError: CardError | null;
    };

/** The callbacks the view calls. */
export interface JourneyCardCallbacks {
  /** Loads the card again (after an error). */
  onRetry: () => void;
  /** Asks to confirm marking a manual milestone achieved. */
  onRequestAchieveMilestone: (milestoneKey: string) => void;
  /** Asks to confirm moving the record to the next stage. */
  onRequestAdvanceStage: () => void;
  /** Runs the pending action. */
  onConfirm: () => void;
  /** Drops the pending action. */
  onCancel: () => void;
}

/** Settings of {@link useJourneyCard}. */
export interface UseJourneyCardOptions {
  client: MilepostClient;
  record: CardRecord;
  /** Called after an action changed the record, e.g. to refresh the CRM record's properties. */
  onChanged?: () => void;
}

/** Loads the record's journey state and runs the card's actions after confirmation. */
export function useJourneyCard(options: UseJourneyCardOptions): [JourneyCardModel, JourneyCardCallbacks] {
  const { client, onChanged } = options;
  const { objectType, objectId } = options.record;
  const [model, setModel] = useState<JourneyCardModel>({ status: 'loading' });
  const [generation, setGeneration] = useState(0);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `generation` is the retry trigger: a new value loads again
  useEffect(() => {
    // A late answer for a record or a retry that is no longer current must not overwrite the newer one.
    let current = true;
    setModel({ status: 'loading' });
    client.getCard({ objectType, objectId }).then((result) => {
      if (!current) return;
      setModel(
        result.ok
          ? { status: 'ready', state: result.state, pending: null, running: false, actionError: null }
          : { status: 'error', error: result.error },
      );
    });
    return () => {
      current = false;
    };
  }, [client, objectType, objectId, generation]);

  // The effect above sets "loading" and loads again whenever the generation changes.
  const onRetry = useCallback(() => setGeneration((value) => value + 1), []);

  const onRequestAchieveMilestone = useCallback((milestoneKey: string) => {
    setModel((previous) => {
      if (previous.status !== 'ready' || previous.running) return previous;
      const milestone = previous.state.milestones.find((item) => item.key === milestoneKey);
      if (!milestone?.manual || milestone.status !== 'pending') return previous;
      return {
        ...previous,
        pending: { action: 'achieve-milestone', milestone: milestone.key, milestoneName: milestone.name },
        actionError: null,
      };
    });
  }, []);

  const onRequestAdvanceStage = useCallback(() => {
    setModel((previous) => {
      if (previous.status !== 'ready' || previous.running) return previous;
      const next = previous.state.actions.nextStage;
      if (!previous.state.actions.advanceStage || !next) return previous;
      return { ...previous, pending: { action: 'advance-stage', stageName: next.name }, actionError: null };
    });
  }, []);

  const onCancel = useCallback(() => {
    setModel((previous) =>
      previous.status === 'ready' && !previous.running ? { ...previous, pending: null } : previous,
    );
  }, []);

  // Callbacks read the latest model without being recreated on every render.
  const modelRef = useRef(model);
  modelRef.current = model;

  const onConfirm = useCallback(() => {
    const current = modelRef.current;
    if (current.status !== 'ready' || current.running || !current.pending) return;
    const pending = current.pending;
    setModel({ ...current, running: true });
    const request: CardActionRequest =
      pending.action === 'achieve-milestone'
        ? { objectType, objectId, action: 'achieve-milestone', milestone: pending.milestone }
        : { objectType, objectId, action: 'advance-stage' };
    client.runAction(request).then((result) => {
      setModel((previous) => {
        if (previous.status !== 'ready') return previous;
        if (!result.ok) return { ...previous, pending: null, running: false, actionError: result.error };
        return { status: 'ready', state: result.state, pending: null, running: false, actionError: null };
      });
      if (result.ok) onChanged?.();
    });
  }, [client, objectType, objectId, onChanged]);

  return [
    model,
    {
      onRetry,
      onRequestAchieveMilestone,
      onRequestAdvanceStage,
      onConfirm,
      onCancel,
    },
  ];
}
