/**
 * Plan and apply, shared by the plan screen and the install page: make a plan for one journey on
 * one connection, review it as a diff, apply it only after the confirmation dialog, and follow the
 * run with its progress and per-change results.
 */
import { useEffect, useId, useRef, useState } from 'react';
import type { ApiError } from './api.js';
import { api } from './api.js';
import type { PlanChange, Run, StoredPlan } from './api-types.js';
import { ConfirmDialog, ErrorMessage, RunView, StatusMessage, useRunPolling } from './components.js';
import { formatDateTime, plural } from './format.js';
import { toApiError, useAction } from './hooks.js';
import { formatAttributeValue, groupPlanChanges } from './plan-groups.js';

/** Props of {@link PlanAndApply}. */
export interface PlanAndApplyProps {
  journeyKey: string;
  /** The connection to plan for; empty while none is chosen (the button stays disabled). */
  connectionId: string;
  /** How the connection is named in headings and the confirmation. */
  connectionName: string;
}

/**
 * "Make a plan", the plan as a diff, "Apply" with its confirmation, and the run as it goes. Callers
 * give it a `key` of journey and connection when either can change, so a new choice starts clean.
 */
export function PlanAndApply({ journeyKey, connectionId, connectionName }: PlanAndApplyProps) {
  const [plan, setPlan] = useState<StoredPlan | undefined>(undefined);
  const [run, setRun] = useState<Run | undefined>(undefined);
  const [confirming, setConfirming] = useState(false);
  const [pollError, setPollError] = useState<ApiError | undefined>(undefined);
  const make = useAction();
  const apply = useAction();
  const runArea = useRef<HTMLDivElement>(null);
  const runId = run?.id;

  // Apply is disabled while its run goes, so the focus the dialog hands back to it would be lost:
  // it moves on to the run it started instead (this runs after the dialog has closed).
  useEffect(() => {
    const runHeading = runId ? runArea.current?.querySelector<HTMLElement>('.run-heading') : undefined;
    if (!runHeading) return;
    runHeading.setAttribute('tabindex', '-1');
    runHeading.focus();
  }, [runId]);

  useRunPolling(run, setRun, (error) => setPollError(toApiError(error)));

  const makePlan = async () => {
    setRun(undefined);
    const result = await make.run(() => api.makePlan(journeyKey, connectionId));
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
  // The plan screen keeps this component while its connection select changes: an older
  // connection's plan must never be applied from under the new one's name.
  const planForThisConnection = plan && plan.connectionId === connectionId ? plan : undefined;
  return (
    <>
      <div className="button-row">
        <button
          type="button"
          className="primary"
          disabled={!connectionId || make.running}
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
      <div ref={runArea}>{run && <RunView run={run} heading="Applying" />}</div>
    </>
  );
}

function changeLabel(change: PlanChange): string {
  return `${change.resource.kind} ${change.resource.label}`;
}

/** The plan as a diff: groups by action, the object and name of each change, notes and refusals. */
export function PlanView({ plan }: { plan: StoredPlan }) {
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
