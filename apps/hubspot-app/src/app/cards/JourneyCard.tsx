/**
 * The journey card wired to its data: the record from the extension context, the admin server from the
 * config module, `hubspot.fetch` for the calls. The entry files (`JourneyTab.tsx`, `JourneySidebar.tsx`)
 * only hand it HubSpot's extension API.
 */
import { hubspot } from '@hubspot/ui-extensions';
import { useMemo } from 'react';
import { type JourneyCardLayout, JourneyCardView } from './JourneyCardView.tsx';
import { cardRecordFromContext, createMilepostClient, type MilepostFetch } from './milepost-client.ts';
import { MILEPOST_BASE_URL } from './milepost-config.ts';
import { useJourneyCard } from './use-journey-card.ts';

/** Props of {@link JourneyCard}. */
export interface JourneyCardProps {
  layout: JourneyCardLayout;
  /** `context.crm` of the extension API: the record the card is on. */
  crm: { objectId: number | string; objectTypeId: string };
  /** Called after an action changed the record: `actions.refreshObjectProperties` in HubSpot. */
  onChanged?: () => void;
  /** `hubspot.fetch` unless a test passes its own. */
  fetch?: MilepostFetch;
  /** The admin server; `MILEPOST_BASE_URL` unless a test passes its own. */
  baseUrl?: string;
}

/** The journey card for the record in `crm`. */
export function JourneyCard(props: JourneyCardProps) {
  const baseUrl = props.baseUrl ?? MILEPOST_BASE_URL;
  const fetch = props.fetch ?? hubspot.fetch;
  const client = useMemo(() => createMilepostClient({ baseUrl, fetch }), [baseUrl, fetch]);
  const record = cardRecordFromContext(props.crm);
  const [model, callbacks] = useJourneyCard({ client, record, onChanged: props.onChanged });
  return (
    <JourneyCardView
      model={model}
      layout={props.layout}
      reinstallUrl={`${baseUrl}/hubspot/install`}
      {...callbacks}
    />
  );
}
