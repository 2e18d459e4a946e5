/**
 * Where the HubSpot OAuth callback lands (`/installs/:hubId`): the installed portal's status and the
 * preflight that ran right after the install.
 */
import { api } from '../api.js';
import { ErrorMessage, Loading, OkMark } from '../components.js';
import { formatDateTime } from '../format.js';
import { useResource } from '../hooks.js';
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
        </>
      )}
    </>
  );
}
