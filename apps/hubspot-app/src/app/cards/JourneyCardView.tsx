/**
 * The journey card's rendering: a pure function of the {@link JourneyCardModel} and callbacks, no data
 * fetching here (that is `use-journey-card.ts`).
 */
import {
  Alert,
  Button,
  ButtonRow,
  DescriptionList,
  DescriptionListItem,
  EmptyState,
  ErrorState,
  Flex,
  Heading,
  LoadingButton,
  LoadingSpinner,
  ProgressBar,
  StatusTag,
  StepIndicator,
  Tag,
  Text,
  Tile,
} from '@hubspot/ui-extensions';
import type { CardError, CardMilestone, CardState } from './card-state.ts';
import type { JourneyCardCallbacks, JourneyCardModel, PendingCardAction } from './use-journey-card.ts';

/** Where the card is shown: the record's tab has room for everything, the sidebar shows the essentials. */
export type JourneyCardLayout = 'tab' | 'sidebar';

/** Props of {@link JourneyCardView}. */
export interface JourneyCardViewProps extends JourneyCardCallbacks {
  model: JourneyCardModel;
  layout: JourneyCardLayout;
  /** Where an admin reinstalls Milepost (`${MILEPOST_BASE_URL}/hubspot/install`). */
  reinstallUrl: string;
}

const SLA_TAGS: Record<CardState['sla'], { label: string; variant: 'success' | 'warning' | 'danger' }> = {
  'on-track': { label: 'On track', variant: 'success' },
  behind: { label: 'Behind', variant: 'warning' },
  stuck: { label: 'Stuck', variant: 'danger' },
};

const PROGRESS_VARIANTS: Record<CardState['sla'], 'success' | 'warning' | 'danger'> = {
  'on-track': 'success',
  behind: 'warning',
  stuck: 'danger',
};

/** Renders the journey card for one record. */
export function JourneyCardView(props: JourneyCardViewProps) {
  const { model } = props;
  if (model.status === 'loading')
    return <LoadingSpinner label="Loading the customer journey" layout="centered" />;
  if (model.status === 'error') return <CardErrorView error={model.error} {...props} />;
  const { state, pending, running, actionError } = model;
  const sidebar = props.layout === 'sidebar';
  return (
    <Flex direction="column" gap={sidebar ? 'sm' : 'md'}>
      <Flex direction="row" justify="between" align="center" wrap>
        <Heading>{state.journey.name}</Heading>
        <StatusTag variant={SLA_TAGS[state.sla].variant} testId="sla">
          {SLA_TAGS[state.sla].label}
        </StatusTag>
      </Flex>
      <StepIndicator
        testId="stage-path"
        stepNames={state.path.map((step) => step.name)}
        currentStep={Math.max(
          0,
          state.path.findIndex((step) => step.status === 'current'),
        )}
        variant={sidebar ? 'compact' : 'default'}
      />
      <StageTime state={state} />
      {actionError ? (
        <Alert title="The action did not go through" variant="error" testId="action-error">
          {actionError.message}
        </Alert>
      ) : null}
      {pending ? <Confirmation pending={pending} running={running} {...props} /> : null}
      {state.handoff ? (
        <Alert
          title={`Handoff pending: ${state.handoff.from} → ${state.handoff.toName}`}
          variant="info"
          testId="handoff"
        >
          {state.handoff.artifacts.length
            ? `Hand over: ${state.handoff.artifacts.join(', ')}.`
            : 'No artifacts are listed for this handoff.'}
        </Alert>
      ) : null}
      <Milestones state={state} sidebar={sidebar} disabled={running || pending !== null} {...props} />
      <Tasks state={state} sidebar={sidebar} />
      <DescriptionList direction={sidebar ? 'column' : 'row'}>
        <DescriptionListItem label="Owns this moment">
          <Text testId="owner">
            {state.owner ? `${state.owner.name} (${state.owner.team})` : 'Nobody owns this stage yet'}
          </Text>
        </DescriptionListItem>
        <DescriptionListItem label="What's next">
          <Text testId="whats-next">{state.whatsNext}</Text>
        </DescriptionListItem>
      </DescriptionList>
      {state.actions.advanceStage && state.actions.nextStage ? (
        <ButtonRow>
          <Button
            testId="advance-stage"
            variant="secondary"
            disabled={running || pending !== null}
            onClick={props.onRequestAdvanceStage}
          >
            {`Move to ${state.actions.nextStage.name}`}
          </Button>
        </ButtonRow>
      ) : null}
    </Flex>
  );
}

function StageTime({ state }: { state: CardState }) {
  const { daysInStage, expectedDays, name } = state.stage;
  const days = (count: number) => `${count} ${count === 1 ? 'day' : 'days'}`;
  if (expectedDays === null)
    return <Text testId="stage-time">{`${days(daysInStage)} in ${name} (no time frame set)`}</Text>;
  return (
    <ProgressBar
      testId="stage-time"
      title={`${name}: day ${daysInStage} of ${expectedDays}`}
      value={Math.min(daysInStage, expectedDays)}
      maxValue={expectedDays}
      valueDescription={
        daysInStage > expectedDays
          ? `${days(daysInStage - expectedDays)} over the ${days(expectedDays)} time frame`
          : `${days(expectedDays - daysInStage)} left of ${days(expectedDays)}`
      }
      variant={PROGRESS_VARIANTS[state.sla]}
    />
  );
}

function Confirmation(
  props: { pending: PendingCardAction; running: boolean } & Pick<
    JourneyCardCallbacks,
    'onConfirm' | 'onCancel'
  >,
) {
  const question =
    props.pending.action === 'achieve-milestone'
      ? `Mark "${props.pending.milestoneName}" as achieved?`
      : `Move this customer to ${props.pending.stageName}?`;
  return (
    <Tile testId="confirmation">
      <Flex direction="column" gap="sm">
        <Text format={{ fontWeight: 'demibold' }}>{question}</Text>
        <Text variant="microcopy">The change is written to HubSpot and recorded on the journey.</Text>
        <ButtonRow>
          <LoadingButton testId="confirm" variant="primary" loading={props.running} onClick={props.onConfirm}>
            Confirm
          </LoadingButton>
          <Button testId="cancel" variant="secondary" disabled={props.running} onClick={props.onCancel}>
            Cancel
          </Button>
        </ButtonRow>
      </Flex>
    </Tile>
  );
}

function Milestones(
  props: { state: CardState; sidebar: boolean; disabled: boolean } & Pick<
    JourneyCardCallbacks,
    'onRequestAchieveMilestone'
  >,
) {
  const relevant = props.state.milestones.filter((milestone) => milestone.status !== 'not-applicable');
  const achieved = relevant.filter((milestone) => milestone.status === 'achieved');
  const next = props.state.nextMilestone;
  return (
    <Flex direction="column" gap="xs" testId="milestones">
      <Text
        format={{ fontWeight: 'bold' }}
      >{`Milestones: ${achieved.length} of ${relevant.length} achieved`}</Text>
      {next ? (
        <Text testId="next-milestone">
          {next.progress ? `Next: ${next.name} (${next.progress})` : `Next: ${next.name}`}
        </Text>
      ) : (
        <Text testId="next-milestone">Every milestone of this stage is achieved.</Text>
      )}
      {(props.sidebar ? relevant.filter((milestone) => milestone.status === 'pending') : relevant).map(
        (milestone) => (
          <MilestoneRow key={milestone.key} milestone={milestone} {...props} />
        ),
      )}
    </Flex>
  );
}

function MilestoneRow(
  props: { milestone: CardMilestone; disabled: boolean } & Pick<
    JourneyCardCallbacks,
    'onRequestAchieveMilestone'
  >,
) {
  const { milestone } = props;
  const detail = milestone.progress ?? milestone.success;
  return (
    <Flex direction="row" gap="sm" align="center" wrap testId={`milestone-${milestone.key}`}>
      {milestone.status === 'achieved' ? (
        <Tag variant="success">Achieved</Tag>
      ) : (
        <Tag variant="default">Pending</Tag>
      )}
      <Text inline>{detail ? `${milestone.name}: ${detail}` : milestone.name}</Text>
      {milestone.status === 'pending' && milestone.manual ? (
        <Button
          testId={`achieve-${milestone.key}`}
          size="xs"
          variant="transparent"
          disabled={props.disabled}
          onClick={() => props.onRequestAchieveMilestone(milestone.key)}
        >
          Mark achieved
        </Button>
      ) : null}
    </Flex>
  );
}

function Tasks(props: { state: CardState; sidebar: boolean }) {
  const open = props.state.tasks.filter((task) => task.status === 'open');
  const overdue = props.state.tasks.filter((task) => task.status === 'overdue');
  if (open.length === 0 && overdue.length === 0) return <Text testId="tasks">No open tasks.</Text>;
  // The sidebar has room for the overdue ones only: they are what the CSM must act on.
  const listed = props.sidebar ? overdue : [...overdue, ...open];
  return (
    <Flex direction="column" gap="xs" testId="tasks">
      <Flex direction="row" gap="sm" align="center">
        <Text format={{ fontWeight: 'bold' }}>{`Tasks: ${open.length} open`}</Text>
        {overdue.length ? (
          <Tag variant="error" testId="overdue-count">{`${overdue.length} overdue`}</Tag>
        ) : null}
      </Flex>
      {listed.map((task) => (
        <Text key={task.key} testId={`task-${task.key}`}>
          {`${task.status === 'overdue' ? 'Overdue' : 'Due'} ${task.dueDate.slice(0, 10)}: ${task.subject}`}
        </Text>
      ))}
    </Flex>
  );
}

function CardErrorView(props: { error: CardError; reinstallUrl: string; onRetry: () => void }) {
  const { error } = props;
  if (error.code === 'NOT_INSTALLED' || error.code === 'NEEDS_REINSTALL')
    return (
      <ErrorState
        type="lock"
        testId="card-error"
        title={
          error.code === 'NOT_INSTALLED'
            ? 'Milepost is not installed in this HubSpot account'
            : 'Milepost needs to be reinstalled'
        }
      >
        <Text>{error.message}</Text>
        <Text>A super admin can reinstall Milepost to reconnect it; the journey data is kept.</Text>
        <Button testId="reinstall" variant="primary" href={{ url: props.reinstallUrl, external: true }}>
          Reinstall Milepost
        </Button>
      </ErrorState>
    );
  if (error.code === 'NOT_TRACKED')
    return (
      <EmptyState
        title="Not on a journey yet"
        imageName="customerExperience"
        layout="vertical"
        testId="card-error"
      >
        <Text>{error.message}</Text>
      </EmptyState>
    );
  if (error.code === 'NOT_FOUND')
    return (
      <ErrorState title="Milepost does not know this record" testId="card-error">
        <Text>{error.message}</Text>
      </ErrorState>
    );
  return (
    <ErrorState title="The customer journey could not be loaded" testId="card-error">
      <Text>{error.message}</Text>
      <Button testId="retry" onClick={props.onRetry}>
        Try again
      </Button>
    </ErrorState>
  );
}
