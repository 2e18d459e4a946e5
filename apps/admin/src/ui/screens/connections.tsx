/**
 * Connections: the CRM accounts Milepost talks to. Add HubSpot (token or OAuth install) or
 * Salesforce (token or client credentials), delete with confirmation, run the preflight checks.
 */
import { type FormEvent, useId, useState } from 'react';
import { api, urls } from '../api.js';
import type { Connection, NewConnection, PreflightReport } from '../api-types.js';
import {
  ConfirmDialog,
  ErrorMessage,
  Loading,
  OkMark,
  RadioGroup,
  StatusMessage,
  TextField,
} from '../components.js';
import { formatDateTime } from '../format.js';
import { useAction, useResource } from '../hooks.js';

const TARGET_NAMES: Record<Connection['target'], string> = { hubspot: 'HubSpot', salesforce: 'Salesforce' };
const AUTH_NAMES: Record<Connection['auth'], string> = {
  token: 'Access token',
  oauth: 'OAuth install',
  'client-credentials': 'Client credentials',
};

/** The connections list and the add form. */
export function ConnectionsScreen() {
  const connections = useResource(api.connections, []);
  const [status, setStatus] = useState('');
  return (
    <>
      <h1>Connections</h1>
      <StatusMessage>{status}</StatusMessage>
      <section>
        <h2 id="connection-list-heading">Your connections</h2>
        <ErrorMessage error={connections.error} title="Could not load the connections." />
        {connections.loading && !connections.data && <Loading what="connections" />}
        {connections.data?.length === 0 && <p>No connections yet. Add one below.</p>}
        {connections.data && connections.data.length > 0 && (
          <ul className="connection-list">
            {connections.data.map((connection) => (
              <ConnectionItem
                key={connection.id}
                connection={connection}
                onDeleted={() => {
                  setStatus(`Deleted ${connection.name}.`);
                  connections.reload();
                }}
              />
            ))}
          </ul>
        )}
      </section>
      <AddConnection
        onAdded={(connection) => {
          setStatus(`Added ${connection.name}.`);
          connections.reload();
        }}
      />
    </>
  );
}

function ConnectionItem({ connection, onDeleted }: { connection: Connection; onDeleted: () => void }) {
  const [confirming, setConfirming] = useState(false);
  const [report, setReport] = useState<PreflightReport | undefined>(undefined);
  const remove = useAction();
  const preflight = useAction();
  const headingId = useId();

  const runPreflight = async () => {
    setReport(undefined);
    const result = await preflight.run(() => api.preflight(connection.id));
    if (result) setReport(result);
  };
  const confirmDelete = async () => {
    const done = await remove.run(async () => {
      await api.deleteConnection(connection.id);
      return true;
    });
    if (done) {
      setConfirming(false);
      onDeleted();
    }
  };

  return (
    <li className="card">
      <h3 id={headingId}>{connection.name}</h3>
      <dl className="facts">
        <dt>CRM</dt>
        <dd>{TARGET_NAMES[connection.target]}</dd>
        <dt>Signed in with</dt>
        <dd>{AUTH_NAMES[connection.auth]}</dd>
        <dt>URL</dt>
        <dd>
          <code>{connection.baseUrl}</code>
        </dd>
        {connection.hubId !== undefined && (
          <>
            <dt>Hub ID</dt>
            <dd>{connection.hubId}</dd>
          </>
        )}
        <dt>Added</dt>
        <dd>{formatDateTime(connection.createdAt)}</dd>
      </dl>
      <div className="button-row">
        <button
          type="button"
          onClick={() => void runPreflight()}
          disabled={preflight.running}
          aria-describedby={headingId}
        >
          Run preflight
        </button>
        <button
          type="button"
          className="danger"
          onClick={() => setConfirming(true)}
          aria-describedby={headingId}
        >
          Delete <span className="visually-hidden">{connection.name}</span>
        </button>
      </div>
      <StatusMessage>{preflight.running ? `Checking ${connection.name}…` : null}</StatusMessage>
      <ErrorMessage error={preflight.error} title="The preflight did not run." />
      {report && (
        <div className="preflight">
          <h4>
            Preflight: <OkMark ok={report.ok} okText="ready" notOkText="not ready" />
          </h4>
          <ul className="check-list">
            {report.checks.map((check) => (
              <li key={check.name}>
                <OkMark ok={check.ok} /> <strong>{check.name}</strong>
                {check.detail ? ` — ${check.detail}` : ''}
              </li>
            ))}
          </ul>
        </div>
      )}
      <ConfirmDialog
        open={confirming}
        title={`Delete ${connection.name}?`}
        confirmLabel="Delete connection"
        danger
        busy={remove.running}
        onConfirm={() => void confirmDelete()}
        onCancel={() => setConfirming(false)}
      >
        <p>
          Milepost forgets this connection and its stored credentials. Nothing is removed from{' '}
          {TARGET_NAMES[connection.target]}.
        </p>
        <ErrorMessage error={remove.error} title="The connection was not deleted." />
      </ConfirmDialog>
    </li>
  );
}

type SalesforceAuth = 'token' | 'client-credentials';

const TARGET_CHOICES = [
  { value: 'hubspot', label: 'HubSpot' },
  { value: 'salesforce', label: 'Salesforce' },
] as const;

const SALESFORCE_AUTH_CHOICES = [
  { value: 'token', label: 'An access token' },
  { value: 'client-credentials', label: 'A connected app (client ID and secret)' },
] as const;

/** One form for both CRMs, so every label ("Name", "Access token") exists once on the page. */
function AddConnection({ onAdded }: { onAdded: (connection: Connection) => void }) {
  const [target, setTarget] = useState<Connection['target']>('hubspot');
  const [salesforceAuth, setSalesforceAuth] = useState<SalesforceAuth>('token');
  const [name, setName] = useState('');
  const [accessToken, setAccessToken] = useState('');
  const [baseUrl, setBaseUrl] = useState('');
  const [instanceUrl, setInstanceUrl] = useState('');
  const [clientId, setClientId] = useState('');
  const [clientSecret, setClientSecret] = useState('');
  const action = useAction();

  const body = (): NewConnection => {
    if (target === 'hubspot')
      return {
        target,
        name: name.trim(),
        accessToken: accessToken.trim(),
        ...(baseUrl.trim() ? { baseUrl: baseUrl.trim() } : {}),
      };
    if (salesforceAuth === 'token')
      return { target, name: name.trim(), instanceUrl: instanceUrl.trim(), accessToken: accessToken.trim() };
    return {
      target,
      name: name.trim(),
      instanceUrl: instanceUrl.trim(),
      clientId: clientId.trim(),
      clientSecret,
    };
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const created = await action.run(() => api.createConnection(body()));
    if (created) {
      // Secrets do not stay in the form once the server has them.
      setName('');
      setAccessToken('');
      setBaseUrl('');
      setInstanceUrl('');
      setClientId('');
      setClientSecret('');
      onAdded(created);
    }
  };

  const usesToken = target === 'hubspot' || salesforceAuth === 'token';
  return (
    <section className="card">
      <h2 id="add-connection-heading">Add a connection</h2>
      <form onSubmit={submit}>
        <RadioGroup legend="CRM" name="target" value={target} onChange={setTarget} options={TARGET_CHOICES} />
        {target === 'hubspot' && (
          <p className="hint">
            A HubSpot account you administer can also be connected without a token:{' '}
            <a href={urls.hubspotInstall}>Install with OAuth</a>.
          </p>
        )}
        <TextField
          label="Name"
          required
          value={name}
          placeholder={target === 'hubspot' ? 'HubSpot production' : 'Salesforce sandbox'}
          onChange={setName}
        />
        {target === 'salesforce' && (
          <>
            <TextField
              label="Instance URL"
              type="url"
              required
              value={instanceUrl}
              placeholder="https://yourcompany.my.salesforce.com"
              onChange={setInstanceUrl}
            />
            <RadioGroup
              legend="Sign in with"
              name="salesforce-auth"
              value={salesforceAuth}
              onChange={setSalesforceAuth}
              options={SALESFORCE_AUTH_CHOICES}
            />
          </>
        )}
        {usesToken && (
          <TextField
            label="Access token"
            type="password"
            autoComplete="off"
            required
            value={accessToken}
            onChange={setAccessToken}
            hint={
              target === 'hubspot'
                ? 'A private app or service key token with the CRM schema and object scopes. Stored encrypted; never shown again.'
                : 'A session or OAuth access token of an integration user. Stored encrypted; never shown again.'
            }
          />
        )}
        {target === 'hubspot' && (
          <TextField
            label="Base URL"
            type="url"
            value={baseUrl}
            placeholder="https://api.hubapi.com"
            onChange={setBaseUrl}
            hint={
              <>
                Leave empty for HubSpot itself. To try Milepost on the local emulator, run{' '}
                <code>milepost emulator hubspot</code>: it prints the URL and the token to paste here.
              </>
            }
          />
        )}
        {target === 'salesforce' && salesforceAuth === 'client-credentials' && (
          <>
            <TextField
              label="Client ID"
              required
              autoComplete="off"
              value={clientId}
              onChange={setClientId}
            />
            <TextField
              label="Client secret"
              type="password"
              required
              autoComplete="off"
              value={clientSecret}
              onChange={setClientSecret}
            />
          </>
        )}
        <ErrorMessage error={action.error} title="The connection was not added." />
        <button type="submit" className="primary" disabled={action.running}>
          Add connection
        </button>
      </form>
    </section>
  );
}
