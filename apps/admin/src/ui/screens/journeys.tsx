/**
 * Journeys: the list, importing a journey file and starting from a template.
 */
import { type FormEvent, useId, useRef, useState } from 'react';
import { api } from '../api.js';
import { ErrorMessage, Loading, StatusMessage } from '../components.js';
import { formatDateTime } from '../format.js';
import { useAction, useResource } from '../hooks.js';
import { Link, navigate } from '../router.js';

/** The journeys list with import and template forms. */
export function JourneysScreen() {
  const journeys = useResource(api.journeys, []);
  return (
    <>
      <h1>Journeys</h1>
      <p className="lead">
        A journey file describes the stages, milestones and handoffs of your customers. Import one or start
        from a template, then map it onto your CRM and apply it.
      </p>
      <section>
        <h2 id="journey-list-heading">Your journeys</h2>
        <ErrorMessage error={journeys.error} title="Could not load the journeys." />
        {journeys.loading && !journeys.data ? <Loading what="journeys" /> : null}
        {journeys.data?.length === 0 && <p>No journeys yet. Import a file or start from a template below.</p>}
        {journeys.data && journeys.data.length > 0 && (
          <table>
            <thead>
              <tr>
                <th scope="col">Journey</th>
                <th scope="col">Key</th>
                <th scope="col">Version</th>
                <th scope="col">Revision</th>
                <th scope="col">Last change</th>
                <th scope="col">Open</th>
              </tr>
            </thead>
            <tbody>
              {journeys.data.map((journey) => {
                const base = `/journeys/${encodeURIComponent(journey.key)}`;
                return (
                  <tr key={journey.key}>
                    <th scope="row">
                      <Link to={base}>{journey.name}</Link>
                    </th>
                    <td>
                      <code>{journey.key}</code>
                    </td>
                    <td>{journey.version}</td>
                    <td>{journey.revision}</td>
                    <td>
                      {formatDateTime(journey.updatedAt)} by {journey.updatedBy}
                    </td>
                    <td className="link-list">
                      <Link to={`${base}/map`} aria-label={`Map of ${journey.name}`}>
                        Map
                      </Link>
                      <Link to={`${base}/mapping`} aria-label={`Field mapping of ${journey.name}`}>
                        Field mapping
                      </Link>
                      <Link to={`${base}/plan`} aria-label={`Plan and apply ${journey.name}`}>
                        Plan
                      </Link>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </section>
      <div className="columns">
        <ImportForm />
        <TemplateForm />
      </div>
    </>
  );
}

/** "Import a file": reads the YAML in the browser and sends its text, so the file never needs an upload endpoint. */
function ImportForm() {
  const fileInput = useRef<HTMLInputElement>(null);
  const [file, setFile] = useState<File | null>(null);
  const action = useAction();
  const fileId = useId();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!file) return;
    const created = await action.run(async () => api.importJourney(await file.text(), file.name));
    if (created) navigate(`/journeys/${encodeURIComponent(created.key)}`);
  };

  return (
    <section className="card">
      <h2 id="import-heading">Import a file</h2>
      <form onSubmit={submit}>
        <div className="field">
          <label htmlFor={fileId}>Journey file</label>
          <input
            id={fileId}
            ref={fileInput}
            type="file"
            accept=".yaml,.yml,application/yaml,text/yaml"
            onChange={(event) => {
              setFile(event.target.files?.[0] ?? null);
              action.clearError();
            }}
          />
          <p className="hint">A journey YAML file (apiVersion: milepost/v1, kind: Journey).</p>
        </div>
        <ErrorMessage error={action.error} title="The file was not imported." />
        <button type="submit" className="primary" disabled={!file || action.running}>
          Import
        </button>
        <StatusMessage>{action.running ? 'Importing…' : null}</StatusMessage>
      </form>
    </section>
  );
}

/** "Start from a template": one of the core's templates becomes a new journey. */
function TemplateForm() {
  const templates = useResource(api.templates, []);
  const [choice, setChoice] = useState('');
  const action = useAction();
  const selectId = useId();
  const descriptionId = useId();
  const chosen = templates.data?.find((template) => template.key === choice);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!choice) return;
    const created = await action.run(() => api.createFromTemplate(choice));
    if (created) navigate(`/journeys/${encodeURIComponent(created.key)}`);
  };

  return (
    <section className="card">
      <h2 id="template-heading">Start from a template</h2>
      <ErrorMessage error={templates.error} title="Could not load the templates." />
      <form onSubmit={submit}>
        <div className="field">
          <label htmlFor={selectId}>Template</label>
          <select
            id={selectId}
            value={choice}
            aria-describedby={descriptionId}
            onChange={(event) => {
              setChoice(event.target.value);
              action.clearError();
            }}
          >
            <option value="">Choose a template…</option>
            {templates.data?.map((template) => (
              <option key={template.key} value={template.key}>
                {template.name} ({template.stages} stages)
              </option>
            ))}
          </select>
          <p id={descriptionId} className="hint">
            {chosen ? chosen.description : 'Each template is a complete journey you can edit afterwards.'}
          </p>
        </div>
        <ErrorMessage error={action.error} title="The journey was not created." />
        <button type="submit" className="primary" disabled={!choice || action.running}>
          Create from template
        </button>
      </form>
    </section>
  );
}
