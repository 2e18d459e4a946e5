/**
 * One customer's state for people: where they are and what comes next.
 */
import type { JourneyState } from '@milepost/core';
import { type CliStream, paint } from './cli-io.js';

/** The colour of each SLA status. */
export const SLA_STYLES = { 'on-track': 'green', behind: 'yellow', stuck: 'red' } as const;

/** A customer's stage, milestones, handoff, open tasks and next step. */
export function renderStateText(state: JourneyState, stream: Pick<CliStream, 'color'>): string {
  const out: string[] = [];
  const frame = state.expectedDays ? ` of ${state.expectedDays}` : '';
  out.push(
    `${paint(stream, 'bold', state.id)}  ${state.journey} v${state.journeyVersion}${state.persona ? ` · ${state.persona}` : ''}${state.segment ? ` · ${state.segment}` : ''}`,
  );
  out.push(
    `Stage      ${paint(stream, 'bold', state.stageName)} since ${state.stageEnteredAt} (day ${state.daysInStage}${frame}) — ${paint(stream, SLA_STYLES[state.sla], state.sla)}`,
  );
  out.push(`Owner      ${state.ownerName ?? 'nobody'}`);
  for (const [key, milestone] of Object.entries(state.milestones)) {
    const mark =
      milestone.status === 'achieved'
        ? paint(stream, 'green', '✓')
        : milestone.status === 'pending'
          ? '○'
          : paint(stream, 'dim', '–');
    const note = milestone.status === 'not-applicable' ? paint(stream, 'dim', ' not for this persona') : '';
    out.push(`Milestone  ${mark} ${key}${milestone.achievedAt ? ` (${milestone.achievedAt})` : ''}${note}`);
  }
  if (state.handoff)
    out.push(
      `Handoff    ${state.handoff.from ?? '?'} → ${state.handoff.toName}: ${state.handoff.artifacts.join(', ') || 'no artifacts listed'}`,
    );
  const open = state.tasks.filter((task) => task.status !== 'done');
  for (const task of open.slice(0, 10)) {
    out.push(
      `Task       ${task.status === 'overdue' ? paint(stream, 'red', 'overdue') : 'open   '} ${task.due} ${task.subject} (${task.owner})`,
    );
  }
  if (open.length > 10) out.push(`           … and ${open.length - 10} more`);
  out.push(`Next       ${state.whatsNext}`);
  return `${out.join('\n')}\n`;
}
