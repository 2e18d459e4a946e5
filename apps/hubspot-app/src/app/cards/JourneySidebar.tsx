// Entry point of the card in the record's sidebar (journey-sidebar-hsmeta.json).
import { hubspot } from '@hubspot/ui-extensions';
import { JourneyCard } from './JourneyCard.tsx';

hubspot.extend<'crm.record.sidebar'>(({ context, actions }) => (
  <JourneyCard layout="sidebar" crm={context.crm} onChanged={actions.refreshObjectProperties} />
));
