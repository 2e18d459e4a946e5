/**
 * Plan and apply: what applying the journey would change in the CRM, reviewed as a diff, then
 * applied after an explicit confirmation and followed to the end.
 */
import { useId, useRef, useState } from 'react';
import type { ApiError } from '../api.js';
import { api } from '../api.js';
import type { PlanChange, Run, StoredPlan } from '../api-types.js';
import {
  ConfirmDialog,
  ErrorMessage,
  JourneyNav,
  RunView,
  StatusMessage,
  useJourneyConnectionPicker,
  useRunPolling,
} from '../components.js';
import { formatDateTime, plural } from '../format.js';
import { toApiError, useAction, useResource } from '../hooks.js';
import { formatAttributeValue, groupPlanChanges } from '../plan-groups.js';

/** The plan and apply screen of one journey. */
export function PlanScreen({ journeyKey }: { journeyKey: string }) {
  const { connection, connections, picker } = useJourneyConnectionPicker(journeyKey);
  const detail = useResource(() => api.journey(journeyKey), [journeyKey]);
  const [plan, setPlan] = useState<StoredPlan | undefined>(undefined);
  const [run, setRun] = useState<Run | undefined>(undefined);
  const [confirming, setConfirming] = useState(false);
  const [pollError, setPollError] = useState<ApiError | undefined>(undefined);
  const make = useAction();
  const apply = useAction();
  const applyButton = useRef<HTMLButtonElement>(null);
  const connectionName = connections.find((item) => item.id === connection)?.name ?? connection;

  useRunPolling(run, setRun, (error) => setPollError(toApiError(error)));

  const makePlan = async () => {
    setRun(undefined);
    const result = await make.run(() => api.makePlan(journeyKey, connection));
    if (result) setPlan(result);
  };
  const confirmApply = async () => {
    if (!plan) return;
    const started = await apply.run(() => api.applyPlan(plan.id));
    setConfirming(false);
    if (started) {
      setPollError(undefined);
      setRun(started);
    }
  };

  const changes = plan?.plan.changes ?? [];
  const planForThisConnection = plan && plan.connectionId === connection ? plan : undefined;
  return (
    <>
      <h1>Plan and apply {detail.data?.name ?? journeyKey}</h1>
      <JourneyNav journeyKey={journeyKey} current="/plan" />
      <p className="lead">
        A plan lists what Milepost would create, update or delete in the CRM to match this journey and its
        mapping. Nothing changes until you apply it.
      </p>
      {picker}
      <div className="button-row">
        <button
          type="button"
          className="primary"
          disabled={!connection || make.running}
          onClick={() => void makePlan()}
        >
          Make a plan
        </button>
      </div>
      <StatusMessage>{make.running ? `Reading ${connectionName}…` : null}</StatusMessage>
      <ErrorMessage error={make.error} title="No plan was made." />
      {planForThisConnection && (
        <section>
          <h2 id="plan-heading">Plan for {connectionName}</h2>
          <p className="muted">Made {formatDateTime(planForThisConnection.createdAt)}.</p>
          <PlanView plan={planForThisConnection} />
          <div className="button-row">
            <button
              ref={applyButton}
              type="button"
              className="primary"
              disabled={
                changes.length === 0 || apply.running || run?.status === 'running' || run?.kind === 'apply'
              }
              onClick={() => setConfirming(true)}
            >
              Apply
            </button>
          </div>
          <ErrorMessage error={apply.error} title="The plan was not applied." />
          <ConfirmDialog
            open={confirming}
            title="Apply this plan?"
            confirmLabel="Confirm apply"
            busy={apply.running}
            onConfirm={() => void confirmApply()}
            onCancel={() => setConfirming(false)}
          >
            <p>
              Milepost will make {plural(changes.length, 'change')} in {connectionName}:{' '}
              {groupPlanChanges(changes)
                .map((group) => `${group.changes.length} to ${group.title.toLowerCase()}`)
                .join(', ')}
              .
            </p>
            {changes.some((change) => change.action === 'delete') && (
              <p className="message message-warning">
                <strong>Deletes are included.</strong> Deleted properties and stages lose their values in the
                CRM.
              </p>
            )}
          </ConfirmDialog>
        </section>
      )}
      <ErrorMessage error={pollError} title="Lost track of the run." />
      {run && <RunView run={run} heading="Applying" />}
    </>
  );
}

function changeLabel(change: PlanChange): string {
  return `${change.resource.kind} ${change.resource.label}`;
}

/** The plan as a diff: groups by action, the object and name of each change, notes and refusals. */
function PlanView({ plan }: { plan: StoredPlan }) {
  const groups = groupPlanChanges(plan.plan.changes);
  const textId = useId();
  return (
    <div className="plan">
      {groups.length === 0 && plan.plan.refusals.length === 0 && (
        <p>
          <strong>Nothing to do:</strong> the CRM already matches the journey.
        </p>
      )}
      {groups.map((group) => (
        <section key={group.action}>
          <h3>
            {group.title} ({group.changes.length})
          </h3>
          <ul className="diff">
            {group.changes.map((change) => (
              <li
                key={`${change.action}:${change.resource.id}`}
                className={`diff-line diff-${change.action}`}
              >
                <span className="diff-marker" aria-hidden="true">
                  {group.marker}
                </span>
                <span className="visually-hidden">{group.title}: </span>
                <strong>{changeLabel(change)}</strong> <code className="muted">{change.resource.id}</code>
                {change.action === 'update' && (
                  <ul className="attribute-list">
                    {change.attributes.map((attribute) => (
                      <li key={attribute.attribute}>
                        {attribute.attribute}: {formatAttributeValue(attribute.before)} →{' '}
                        {formatAttributeValue(attribute.after)}
                      </li>
                    ))}
                  </ul>
                )}
                {change.action === 'delete' && change.movesTo && (
                  <div className="muted">Its records move to {change.movesTo} first.</div>
                )}
              </li>
            ))}
          </ul>
        </section>
      ))}
      {plan.plan.refusals.length > 0 && (
        <section>
          <h3 id={`${textId}-refusals`}>Not done ({plan.plan.refusals.length})</h3>
          <ul className="issue-list">
            {plan.plan.refusals.map((refusal) => (
              <li key={`${refusal.reason}:${refusal.id}`} className="issue issue-warning">
                <span className="badge badge-warning">Refused</span> {refusal.summary}
              </li>
            ))}
          </ul>
        </section>
      )}
      {plan.plan.notes && plan.plan.notes.length > 0 && (
        <section>
          <h3 id={`${textId}-notes`}>Notes</h3>
          <ul>
            {plan.plan.notes.map((note) => (
              <li key={note}>{note}</li>
            ))}
          </ul>
        </section>
      )}
      <details>
        <summary>The plan as text</summary>
        <pre className="plan-text">{plan.text}</pre>
      </details>
    </div>
  );
}
