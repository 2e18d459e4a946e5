/**
 * The journey map in a terminal: stages in order with owner, time frame, touchpoints, milestones
 * and handoffs, then the SuccessCycles.
 */
import { describeCriteria, type Journey } from '@milepost/core';
import { type CliStream, paint } from './cli-io.js';

const CHANNEL_ICONS: Record<string, string> = {
  email: '✉',
  call: '☎',
  meeting: '◎',
  'in-app': '▣',
  webinar: '▶',
  training: '✎',
  support: '✚',
  survey: '?',
  event: '★',
};

/** Options of {@link renderJourneyText}. */
export interface RenderJourneyTextOptions {
  /** Only the stages and milestones of this persona. */
  persona?: string;
}

/** The journey map as terminal text (coloured when the stream takes colour). */
export function renderJourneyText(
  journey: Journey,
  stream: Pick<CliStream, 'color'>,
  options: RenderJourneyTextOptions = {},
): string {
  const bold = (text: string) => paint(stream, 'bold', text);
  const dim = (text: string) => paint(stream, 'dim', text);
  const accent = (text: string) => paint(stream, 'cyan', text);
  const teamName = (key: string | undefined) =>
    key ? (journey.teams.find((team) => team.key === key)?.name ?? key) : 'nobody';
  const persona = options.persona
    ? journey.personas.find((candidate) => candidate.key === options.persona)
    : undefined;
  const stages = persona?.path
    ? journey.stages.filter((stage) => persona.path?.includes(stage.key))
    : journey.stages;
  const out: string[] = [];

  out.push(
    `${bold(journey.name)}  ${dim(`${journey.key} v${journey.version} · ${journey.stagePolicy ?? 'derived'} stages`)}`,
  );
  if (journey.description) out.push(journey.description);
  if (journey.teams.length)
    out.push(`${dim('Teams')}     ${journey.teams.map((team) => team.name).join(', ')}`);
  if (journey.personas.length) {
    out.push(
      `${dim('Personas')}  ${journey.personas.map((item) => `${item.name}${item.success ? dim(` (success: ${item.success})`) : ''}`).join('; ')}`,
    );
  }
  if (persona) out.push(accent(`Showing the path of persona "${persona.name}"`));
  if (journey.metrics?.length)
    out.push(`${dim('Metrics')}   ${journey.metrics.map((metric) => metric.name).join(', ')}`);
  out.push('');

  stages.forEach((stage, index) => {
    const frame = stage.expectedDays ? `${stage.expectedDays} days` : 'no time frame';
    out.push(
      `${accent(String(index + 1).padStart(2))} ${bold(stage.name)} ${dim('─')} owner ${teamName(stage.owner)} ${dim('·')} ${frame}`,
    );
    if (stage.description) out.push(`   ${dim(stage.description)}`);
    const personaSuccess = persona ? stage.personaSuccess?.[persona.key] : undefined;
    if (personaSuccess) out.push(`   ${dim('Success')}      ${personaSuccess}`);
    for (const touchpoint of stage.touchpoints ?? []) {
      const owner = touchpoint.owner ? `, ${teamName(touchpoint.owner)}` : '';
      out.push(
        `   ${dim('Touchpoint')}   ${CHANNEL_ICONS[touchpoint.channel] ?? '•'} ${touchpoint.name} ${dim(`(${touchpoint.channel}${owner})`)}`,
      );
    }
    for (const milestone of stage.milestones ?? []) {
      if (persona && milestone.personas && !milestone.personas.includes(persona.key)) continue;
      const criteria = milestone.criteria
        ? describeCriteria(milestone.criteria, journey)
        : 'recorded by hand';
      const only = milestone.personas && !persona ? dim(` [${milestone.personas.join(', ')} only]`) : '';
      const exit = stage.exitWhen?.includes(milestone.key) ? accent(' ⇥ completes the stage') : '';
      out.push(`   ${dim('Milestone')}    ◆ ${milestone.name} ${dim('—')} ${criteria}${only}${exit}`);
    }
    if (stage.painPoints?.length) out.push(`   ${dim('Pain points')}  ${stage.painPoints.join('; ')}`);
    if (stage.opportunities?.length) out.push(`   ${dim('Opportunities')} ${stage.opportunities.join('; ')}`);
    if (stage.handoff) {
      const artifacts = stage.handoff.artifacts?.length ? `: ${stage.handoff.artifacts.join(', ')}` : '';
      out.push(
        `   ${accent('↓')} handoff ${teamName(stage.owner)} → ${bold(teamName(stage.handoff.to))}${artifacts}`,
      );
    } else if (index < stages.length - 1) {
      out.push(`   ${dim('↓')}`);
    }
  });

  const cycles = (journey.successCycles ?? []).filter(
    (cycle) => !persona || !cycle.appliesTo?.personas || cycle.appliesTo.personas.includes(persona.key),
  );
  if (cycles.length) {
    out.push('', bold('SuccessCycles'));
    for (const cycle of cycles) {
      const scope = [
        cycle.basis + (cycle.year ? `, year ${cycle.year}` : ''),
        cycle.role ? `role ${teamName(cycle.role)}` : undefined,
        cycle.appliesTo?.personas ? `personas ${cycle.appliesTo.personas.join(', ')}` : undefined,
        cycle.appliesTo?.segments ? `segments ${cycle.appliesTo.segments.join(', ')}` : undefined,
      ].filter(Boolean);
      out.push(`  ${bold(cycle.name)} ${dim(`(${scope.join('; ')})`)}`);
      for (const cycleStage of cycle.stages) {
        const stageName =
          journey.stages.find((stage) => stage.key === cycleStage.stage)?.name ?? cycleStage.stage;
        out.push(`    ${accent(stageName)}`);
        for (const activity of cycleStage.activities) {
          out.push(`      ${activity.name}`);
          for (const task of activity.tasks) {
            const priority = task.priority === 'high' ? paint(stream, 'yellow', ' !') : '';
            out.push(
              `        ☐ ${task.subject} ${dim(`(${teamName(task.owner)}, day ${task.dueDays}${task.type ? `, ${task.type}` : ''})`)}${priority}`,
            );
          }
        }
      }
    }
  }
  return `${out.join('\n')}\n`;
}
