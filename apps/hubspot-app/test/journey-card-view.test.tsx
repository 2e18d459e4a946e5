import {
  Alert,
  Button,
  EmptyState,
  ErrorState,
  Flex,
  LoadingButton,
  LoadingSpinner,
  ProgressBar,
  StatusTag,
  StepIndicator,
  Tag,
  Text,
  Tile,
} from '@hubspot/ui-extensions';
import { createRenderer } from '@hubspot/ui-extensions/testing';
import { describe, expect, it, vi } from 'vitest';
import type { CardState } from '../src/app/cards/card-state.ts';
import { type JourneyCardLayout, JourneyCardView } from '../src/app/cards/JourneyCardView.tsx';
import type { JourneyCardModel, PendingCardAction } from '../src/app/cards/use-journey-card.ts';
import { cardState } from './card-fixtures.ts';

function renderView(model: JourneyCardModel, layout: JourneyCardLayout = 'tab') {
  const callbacks = {
    onRetry: vi.fn(),
    onRequestAchieveMilestone: vi.fn(),
    onRequestAdvanceStage: vi.fn(),
    onConfirm: vi.fn(),
    onCancel: vi.fn(),
  };
  const renderer = createRenderer(layout === 'tab' ? 'crm.record.tab' : 'crm.record.sidebar');
  renderer.render(
    <JourneyCardView
      model={model}
      layout={layout}
      reinstallUrl="https://cs.example.com/hubspot/install"
      {...callbacks}
    />,
  );
  return { ...renderer, callbacks };
}

function ready(
  state: CardState,
  extra: { pending?: PendingCardAction; running?: boolean } = {},
): JourneyCardModel {
  return {
    status: 'ready',
    state,
    pending: extra.pending ?? null,
    running: extra.running ?? false,
    actionError: null,
  };
}

describe('JourneyCardView: a record on its journey', () => {
  it('shows an on-track record: path, days in stage against the time frame, SLA, milestones, owner', () => {
    const { find, findByTestId, maybeFindByTestId } = renderView(ready(cardState()));

    const path = find(StepIndicator);
    expect(path.props.stepNames).toEqual(['Kickoff', 'Adoption', 'Renewal']);
    expect(path.props.currentStep).toBe(1);
    const sla = find(StatusTag);
    expect(sla.props.variant).toBe('success');
    expect(sla.text).toBe('On track');
    const time = find(ProgressBar);
    expect(time.props).toMatchObject({ value: 6, maxValue: 14, variant: 'success' });
    expect(time.props.title).toBe('Adoption: day 6 of 14');
    expect(time.props.valueDescription).toBe('8 days left of 14 days');
    expect(findByTestId(Text, 'next-milestone').text).toBe('Next: Active users (3 of 5 active users)');
    // The not-applicable milestone is not counted.
    expect(findByTestId(Text, 'owner').text).toBe('Dana Reyes (Customer success)');
    expect(findByTestId(Text, 'whats-next').text).toBe('Get two more users active, then hold the training.');
    expect(maybeFindByTestId(Alert, 'handoff')).toBeNull();
    expect(maybeFindByTestId(Tile, 'confirmation')).toBeNull();
  });

  it('counts achieved milestones over the applicable ones and lists their progress', () => {
    const { find, findByTestId, maybeFindByTestId } = renderView(ready(cardState()));
    expect(find(Text, (node) => node.text?.startsWith('Milestones:') ?? false).text).toBe(
      'Milestones: 1 of 3 achieved',
    );
    expect(findByTestId(Flex, 'milestone-first-login').find(Tag).text).toBe('Achieved');
    expect(findByTestId(Flex, 'milestone-active-users').find(Text).text).toBe(
      'Active users: 3 of 5 active users',
    );
    expect(findByTestId(Flex, 'milestone-training-done').find(Tag).text).toBe('Pending');
    expect(maybeFindByTestId(Flex, 'milestone-sso')).toBeNull();
  });

  it('shows a record behind its time frame with a warning tag and the days over', () => {
    const state = cardState({
      sla: 'behind',
      stage: {
        key: 'adoption',
        name: 'Adoption',
        daysInStage: 17,
        expectedDays: 14,
        enteredAt: '2026-11-05T09:00:00Z',
      },
    });
    const { find } = renderView(ready(state));
    expect(find(StatusTag).props.variant).toBe('warning');
    expect(find(StatusTag).text).toBe('Behind');
    const time = find(ProgressBar);
    expect(time.props).toMatchObject({ value: 14, maxValue: 14, variant: 'warning' });
    expect(time.props.valueDescription).toBe('3 days over the 14 days time frame');
  });

  it('shows a stuck record in danger colours', () => {
    const state = cardState({
      sla: 'stuck',
      stage: {
        key: 'adoption',
        name: 'Adoption',
        daysInStage: 40,
        expectedDays: 14,
        enteredAt: '2026-10-13T09:00:00Z',
      },
    });
    const { find } = renderView(ready(state));
    expect(find(StatusTag).props.variant).toBe('danger');
    expect(find(StatusTag).text).toBe('Stuck');
    expect(find(ProgressBar).props.variant).toBe('danger');
  });

  it('shows days in stage as text when the stage has no time frame', () => {
    const state = cardState({
      stage: {
        key: 'adoption',
        name: 'Adoption',
        daysInStage: 1,
        expectedDays: null,
        enteredAt: '2026-11-21T09:00:00Z',
      },
    });
    const { findByTestId, maybeFind } = renderView(ready(state));
    expect(maybeFind(ProgressBar)).toBeNull();
    expect(findByTestId(Text, 'stage-time').text).toBe('1 day in Adoption (no time frame set)');
  });

  it('shows a pending handoff with its artifacts', () => {
    const state = cardState({
      handoff: {
        from: 'sales',
        to: 'cs',
        toName: 'Customer success',
        artifacts: ['Success plan', 'Kickoff deck'],
      },
    });
    const alert = renderView(ready(state)).findByTestId(Alert, 'handoff');
    expect(alert.props.title).toBe('Handoff pending: sales → Customer success');
    expect(alert.text).toBe('Hand over: Success plan, Kickoff deck.');
  });

  it('shows open and overdue tasks, overdue first, and leaves done tasks out', () => {
    const state = cardState({
      tasks: [
        { key: 'call', subject: 'Adoption check-in call', dueDate: '2026-11-25T00:00:00Z', status: 'open' },
        { key: 'qbr', subject: 'Prepare the QBR', dueDate: '2026-11-18T00:00:00Z', status: 'overdue' },
        { key: 'notes', subject: 'Send kickoff notes', dueDate: '2026-11-10T00:00:00Z', status: 'done' },
      ],
    });
    const { findByTestId, findAll, maybeFindByTestId } = renderView(ready(state));
    expect(findByTestId(Tag, 'overdue-count').text).toBe('1 overdue');
    expect(findByTestId(Tag, 'overdue-count').props.variant).toBe('error');
    const taskLines = findAll(Text, (node) => /^(Overdue|Due) /.test(node.text ?? '')).map(
      (node) => node.text,
    );
    expect(taskLines).toEqual([
      'Overdue 2026-11-18: Prepare the QBR',
      'Due 2026-11-25: Adoption check-in call',
    ]);
    expect(maybeFindByTestId(Text, 'task-notes')).toBeNull();
  });

  it('in the sidebar lists only pending milestones and overdue tasks', () => {
    const state = cardState({
      tasks: [
        { key: 'call', subject: 'Adoption check-in call', dueDate: '2026-11-25T00:00:00Z', status: 'open' },
        { key: 'qbr', subject: 'Prepare the QBR', dueDate: '2026-11-18T00:00:00Z', status: 'overdue' },
      ],
    });
    const { find, maybeFindByTestId } = renderView(ready(state), 'sidebar');
    expect(find(StepIndicator).props.variant).toBe('compact');
    expect(maybeFindByTestId(Text, 'task-call')).toBeNull();
    expect(maybeFindByTestId(Text, 'task-qbr')?.text).toBe('Overdue 2026-11-18: Prepare the QBR');
    expect(maybeFindByTestId(Flex, 'milestone-first-login')).toBeNull();
    expect(maybeFindByTestId(Flex, 'milestone-training-done')).not.toBeNull();
  });

  it('says when nobody owns the moment and there are no open tasks', () => {
    const { findByTestId } = renderView(ready(cardState({ owner: null, tasks: [] })));
    expect(findByTestId(Text, 'owner').text).toBe('Nobody owns this stage yet');
    expect(findByTestId(Text, 'tasks').text).toBe('No open tasks.');
  });
});

describe('JourneyCardView: actions', () => {
  it('offers "Mark achieved" for pending manual milestones only', () => {
    const { findAll, findByTestId, callbacks } = renderView(ready(cardState()));
    const achieveButtons = findAll(Button, (node) => node.text === 'Mark achieved');
    expect(achieveButtons.map((node) => node.props.testId)).toEqual(['achieve-training-done']);
    findByTestId(Button, 'achieve-training-done').trigger('onClick');
    expect(callbacks.onRequestAchieveMilestone).toHaveBeenCalledWith('training-done');
  });

  it('offers "Move to" the next stage when the journey allows a manual move', () => {
    const { findByTestId, callbacks } = renderView(ready(cardState()));
    const advance = findByTestId(Button, 'advance-stage');
    expect(advance.text).toBe('Move to Renewal');
    advance.trigger('onClick');
    expect(callbacks.onRequestAdvanceStage).toHaveBeenCalledOnce();
  });

  it('has no "Move to" button when the journey does not allow manual moves', () => {
    const state = cardState({
      actions: { advanceStage: false, nextStage: { key: 'renewal', name: 'Renewal' } },
    });
    expect(renderView(ready(state)).maybeFindByTestId(Button, 'advance-stage')).toBeNull();
  });

  it('asks for confirmation and disables the other actions meanwhile', () => {
    const { findByTestId, find, callbacks } = renderView(
      ready(cardState(), {
        pending: { action: 'achieve-milestone', milestone: 'training-done', milestoneName: 'Training held' },
      }),
    );
    expect(findByTestId(Tile, 'confirmation').find(Text).text).toBe('Mark "Training held" as achieved?');
    expect(findByTestId(Button, 'advance-stage').props.disabled).toBe(true);
    expect(findByTestId(Button, 'achieve-training-done').props.disabled).toBe(true);
    find(LoadingButton).trigger('onClick');
    expect(callbacks.onConfirm).toHaveBeenCalledOnce();
    findByTestId(Button, 'cancel').trigger('onClick');
    expect(callbacks.onCancel).toHaveBeenCalledOnce();
  });

  it('shows the confirmed action running', () => {
    const { find, findByTestId } = renderView(
      ready(cardState(), { pending: { action: 'advance-stage', stageName: 'Renewal' }, running: true }),
    );
    expect(findByTestId(Tile, 'confirmation').find(Text).text).toBe('Move this customer to Renewal?');
    expect(find(LoadingButton).props.loading).toBe(true);
    expect(findByTestId(Button, 'cancel').props.disabled).toBe(true);
  });

  it('shows why the last action failed', () => {
    const { findByTestId } = renderView({
      status: 'ready',
      state: cardState(),
      pending: null,
      running: false,
      actionError: { code: 'CONFLICT', message: 'The stage changed in HubSpot; reload the card.' },
    });
    const alert = findByTestId(Alert, 'action-error');
    expect(alert.props.variant).toBe('error');
    expect(alert.text).toBe('The stage changed in HubSpot; reload the card.');
  });
});

describe('JourneyCardView: loading and errors', () => {
  it('shows a spinner while loading', () => {
    const { find, maybeFind } = renderView({ status: 'loading' });
    expect(find(LoadingSpinner).props.label).toBe('Loading the customer journey');
    expect(maybeFind(StepIndicator)).toBeNull();
  });

  it.each([
    ['NOT_INSTALLED', 'Milepost is not installed in this HubSpot account'],
    ['NEEDS_REINSTALL', 'Milepost needs to be reinstalled'],
  ])('%s: asks to reinstall, with a link to the install route', (code, title) => {
    const { find, findByTestId, maybeFindByTestId } = renderView({
      status: 'error',
      error: { code, message: 'The token for portal 4455 was revoked.' },
    });
    const state = find(ErrorState);
    expect(state.props).toMatchObject({ title, type: 'lock' });
    const lines = state.findAll(Text).map((node) => node.text);
    expect(lines[0]).toBe('The token for portal 4455 was revoked.');
    expect(lines[1]).toContain('reinstall Milepost');
    expect(findByTestId(Button, 'reinstall').props.href).toEqual({
      url: 'https://cs.example.com/hubspot/install',
      external: true,
    });
    expect(maybeFindByTestId(Button, 'retry')).toBeNull();
  });

  it('NOT_TRACKED: says the record is not on a journey yet, without an error look', () => {
    const { find, maybeFind } = renderView({
      status: 'error',
      error: { code: 'NOT_TRACKED', message: 'This company has no journey state; run a sync in Milepost.' },
    });
    expect(find(EmptyState).props.title).toBe('Not on a journey yet');
    expect(find(EmptyState).find(Text).text).toBe(
      'This company has no journey state; run a sync in Milepost.',
    );
    expect(maybeFind(ErrorState)).toBeNull();
  });

  it('NOT_FOUND: says Milepost does not know the record', () => {
    const { find, maybeFindByTestId } = renderView({
      status: 'error',
      error: { code: 'NOT_FOUND', message: 'No company 901 in portal 4455.' },
    });
    expect(find(ErrorState).props.title).toBe('Milepost does not know this record');
    expect(maybeFindByTestId(Button, 'retry')).toBeNull();
  });

  it('a network error offers a retry', () => {
    const { find, findByTestId, callbacks } = renderView({
      status: 'error',
      error: { code: 'NETWORK_ERROR', message: 'Milepost could not be reached. Try again.' },
    });
    expect(find(ErrorState).props.title).toBe('The customer journey could not be loaded');
    findByTestId(Button, 'retry').trigger('onClick');
    expect(callbacks.onRetry).toHaveBeenCalledOnce();
  });
});
