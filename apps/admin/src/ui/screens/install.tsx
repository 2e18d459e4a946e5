/**
 * Where the HubSpot OAuth callback lands (`/installs/:hubId`): the installed portal's status, the
 * preflight that ran right after the install, and provisioning — a journey planned on the install's
 * connection (with its saved mapping, else the default one) and applied after confirmation.
 */
import { useId, useState } from 'react';
import { api } from '../api.js';
import type { Install } from '../api-types.js';
import { ErrorMessage, Loading, OkMark, StatusMessage } from '../components.js';
import { formatDateTime } from '../format.js';
import { useAction, useResource } from '../hooks.js';
import { PlanAndApply } from '../plan-apply.js';
import { Link } from '../router.js';

const STATUS_TEXT = {
  active: 'Installed',
  'needs-reinstall': 'Needs to be installed again',
  uninstalled: 'Uninstalled',
};

/** The install result screen. */
export function InstallScreen({ hubId }: { hubId: string }) {
  const install = useResource(() => api.install(hubId), [hubId]);
  const data = install.data;
  return (
    <>
      <h1>HubSpot account {hubId}</h1>
      <ErrorMessage error={install.error} title="Could not load the install." />
      {install.loading && <Loading what="the install" />}
      {data && (
        <>
          <p className="lead">
            <OkMark
              ok={data.status === 'active'}
              okText={STATUS_TEXT.active}
              notOkText={STATUS_TEXT[data.status]}
            />
            {data.status === 'active' ? ` on ${formatDateTime(data.installedAt)}. ` : '. '}
            The account is available as a connection: <Link to="/connections">Connections</Link>.
          </p>
          {data.status === 'needs-reinstall' && (
            <p>
              <a href="/hubspot/install">Install with OAuth</a> again to give Milepost a new token.
            </p>
          )}
          {data.preflight && (
            <section>
              <h2 id="install-preflight-heading">
                Preflight: <OkMark ok={data.preflight.ok} okText="ready" notOkText="not ready" />
              </h2>
              <ul className="check-list">
                {data.preflight.checks.map((check) => (
                  <li key={check.name}>
                    <OkMark ok={check.ok} /> <strong>{check.name}</strong>
                    {check.detail ? ` — ${check.detail}` : ''}
                  </li>
                ))}
              </ul>
            </section>
          )}
          {/* Only an active install has a token to plan and apply with. */}
          {data.status === 'active' && <Provision install={data} />}
        </>
      )}
    </>
  );
}

/**
 * "Provision this portal": pick a stored journey (or create one from a template when there is none),
 * then the shared plan → confirm → run flow on the install's connection.
 */
function Provision({ install }: { install: Install }) {
  const journeys = useResource(api.journeys, []);
  const [chosen, setChosen] = useState('');
  const journeyId = useId();
  const connectionId = install.connectionId;
  // A single journey needs no choosing; with several the person picks one.
  const journey = chosen || (journeys.data?.length === 1 ? (journeys.data[0]?.key ?? '') : '');
  const mapping = useResource(journey ? () => api.mapping(journey, connectionId) : null, [
    journey,
    connectionId,
  ]);
  const connectionName = `HubSpot account ${install.hubId}`;

  return (
    <section>
      <h2 id="install-provision-heading">Provision this portal</h2>
      <p>
        Choose the journey this portal should carry. Milepost plans the properties, pipeline and tasks it
        needs; nothing changes in HubSpot until you confirm the plan.
      </p>
      <ErrorMessage error={journeys.error} title="Could not load the journeys." />
      {journeys.loading && !journeys.data && <Loading what="journeys" />}
      {journeys.data?.length === 0 && (
        <TemplateStart
          onCreated={(key) => {
            setChosen(key);
            journeys.reload();
          }}
        />
      )}
      {journeys.data && journeys.data.length > 0 && (
        <div className="field">
          <label htmlFor={journeyId}>Journey</label>
          <select id={journeyId} value={journey} onChange={(event) => setChosen(event.target.value)}>
            <option value="">Choose a journey…</option>
            {journeys.data.map((item) => (
              <option key={item.key} value={item.key}>
                {item.name} ({item.key})
              </option>
            ))}
          </select>
        </div>
      )}
      {journey && (
        <>
          <p className="hint">
            {mapping.data?.saved
              ? 'Uses the field mapping saved for this portal. '
              : mapping.data
                ? 'Uses the default field mapping (Milepost’s own properties). '
                : ''}
            <Link
              to={`/journeys/${encodeURIComponent(journey)}/mapping?connection=${encodeURIComponent(connectionId)}`}
            >
              Field mapping
            </Link>
          </p>
          <ErrorMessage error={mapping.error} title="Could not load the field mapping." />
          <PlanAndApply
            key={journey}
            journeyKey={journey}
            connectionId={connectionId}
            connectionName={connectionName}
          />
        </>
      )}
    </section>
  );
}

/** No journey yet: one button per template creates it here, without leaving the install page. */
function TemplateStart({ onCreated }: { onCreated: (key: string) => void }) {
  const templates = useResource(api.templates, []);
  const action = useAction();
  const create = async (template: string) => {
    const created = await action.run(() => api.createFromTemplate(template));
    if (created) onCreated(created.key);
  };
  return (
    <div>
      <p>No journeys yet. Start from a template:</p>
      <ErrorMessage error={templates.error} title="Could not load the templates." />
      <ul className="template-list">
        {templates.data?.map((template) => (
          <li key={template.key}>
            <button type="button" disabled={action.running} onClick={() => void create(template.key)}>
              Use {template.name}
            </button>{' '}
            <span className="muted">{template.description}</span>
          </li>
        ))}
      </ul>
      <ErrorMessage error={action.error} title="The journey was not created." />
      <StatusMessage>{action.running ? 'Creating the journey…' : null}</StatusMessage>
    </div>
  );
}
