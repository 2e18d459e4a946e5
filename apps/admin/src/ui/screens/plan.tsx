/**
 * Plan and apply: what applying the journey would change in the CRM, reviewed as a diff, then
 * applied after an explicit confirmation and followed to the end.
 */
import { api } from '../api.js';
import { JourneyNav, useJourneyConnectionPicker } from '../components.js';
import { useResource } from '../hooks.js';
import { PlanAndApply } from '../plan-apply.js';

/** The plan and apply screen of one journey. */
export function PlanScreen({ journeyKey }: { journeyKey: string }) {
  const { connection, connections, picker } = useJourneyConnectionPicker(journeyKey);
  const detail = useResource(() => api.journey(journeyKey), [journeyKey]);
  const connectionName = connections.find((item) => item.id === connection)?.name ?? connection;
  return (
    <>
      <h1>Plan and apply {detail.data?.name ?? journeyKey}</h1>
      <JourneyNav journeyKey={journeyKey} current="/plan" />
      <p className="lead">
        A plan lists what Milepost would create, update or delete in the CRM to match this journey and its
        mapping. Nothing changes until you apply it.
      </p>
      {picker}
      <PlanAndApply journeyKey={journeyKey} connectionId={connection} connectionName={connectionName} />
    </>
  );
}
