// Entry point of the card in the record's tab (journey-tab-hsmeta.json).
import { hubspot } from '@hubspot/ui-extensions';
import { JourneyCard } from './JourneyCard.tsx';

hubspot.extend<'crm.record.tab'>(({ context, actions }) => (
  <JourneyCard layout="tab" crm={context.crm} onChanged={actions.refreshObjectProperties} />
));
