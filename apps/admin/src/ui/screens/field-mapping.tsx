/**
 * Field mapping for one journey and one connection: a CRM field per fact and per output, checked
 * against the live fields on every change, enum value maps, save, download and upload of
 * mapping.yaml.
 */
import { type FormEvent, useCallback, useEffect, useId, useMemo, useState } from 'react';
import { type ApiError, api, urls } from '../api.js';
import type { CrmField, Journey, Mapping, MappingIssue } from '../api-types.js';
import { Combobox, type ComboboxGroup } from '../combobox.js';
import {
  ErrorMessage,
  IssueList,
  JourneyNav,
  Loading,
  StatusMessage,
  useJourneyConnectionPicker,
} from '../components.js';
import { plural } from '../format.js';
import { toApiError, useAction, useDebounced, useResource } from '../hooks.js';
import {
  customerObject,
  findField,
  type MappingRow,
  mappingRows,
  rowEntry,
  rowId,
  searchFields,
  setRowField,
  setRowValues,
  setValueMapping,
  valueMapRows,
} from '../mapping-model.js';

/** Wait this long after the last change before asking the server to check the mapping. */
const CHECK_DELAY_MS = 300;
/** The combobox option meaning "no entry in the mapping". */
const DEFAULT_OPTION = '__milepost_default__';

/** The field mapping screen of one journey. */
export function FieldMappingScreen({ journeyKey }: { journeyKey: string }) {
  const { connection, connections, picker } = useJourneyConnectionPicker(journeyKey);
  const detail = useResource(() => api.journey(journeyKey), [journeyKey]);
  const fields = useResource(connection ? () => api.fields(connection) : null, [connection]);
  const document = useResource(connection ? () => api.mapping(journeyKey, connection) : null, [
    journeyKey,
    connection,
  ]);
  const connectionName = connections.find((item) => item.id === connection)?.name;

  return (
    <>
      <h1>Field mapping of {detail.data?.name ?? journeyKey}</h1>
      <JourneyNav journeyKey={journeyKey} current="/mapping" />
      <p className="lead">
        Say which CRM field holds each fact the journey reads, and where Milepost writes each result. Outputs
        left on “Create new” get a field Milepost creates and manages.
      </p>
      {picker}
      <ErrorMessage error={detail.error} title="Could not load the journey." />
      <ErrorMessage error={fields.error} title="Could not read the CRM's fields." />
      <ErrorMessage error={document.error} title="Could not load the mapping." />
      {connection && (fields.loading || document.loading) && (
        <Loading what="the CRM fields and the mapping" />
      )}
      {connection && detail.data && fields.data && document.data && (
        <MappingEditor
          key={connection}
          journeyKey={journeyKey}
          connectionId={connection}
          connectionName={connectionName ?? connection}
          journey={detail.data.journey}
          fields={fields.data}
          initial={document.data.mapping}
          saved={document.data.saved}
          onReplaced={(next) => document.setData(next)}
        />
      )}
    </>
  );
}

interface MappingEditorProps {
  journeyKey: string;
  connectionId: string;
  connectionName: string;
  journey: Journey;
  fields: CrmField[];
  initial: Mapping;
  saved: boolean;
  onReplaced: (document: { mapping: Mapping; source: string; saved: boolean }) => void;
}

function MappingEditor({
  journeyKey,
  connectionId,
  connectionName,
  journey,
  fields,
  initial,
  saved,
  onReplaced,
}: MappingEditorProps) {
  const [mapping, setMapping] = useState(initial);
  // What the server holds; a save or an upload replaces it without remounting (the status message stays).
  const [savedMapping, setSavedMapping] = useState(initial);
  const [issues, setIssues] = useState<MappingIssue[]>([]);
  const [checking, setChecking] = useState(true);
  const [status, setStatus] = useState('');
  const save = useAction();
  const upload = useAction();
  const [checkError, setCheckError] = useState<ApiError | undefined>(undefined);
  const rows = useMemo(() => mappingRows(journey), [journey]);
  const debounced = useDebounced(mapping, CHECK_DELAY_MS);
  const dirty = mapping !== savedMapping;
  const uploadId = useId();
  const writeNullsId = useId();
  const [file, setFile] = useState<File | null>(null);

  // Not useAction: a newer check must replace one in flight, not wait behind it.
  useEffect(() => {
    const abort = new AbortController();
    setChecking(true);
    api.checkMapping(journeyKey, connectionId, debounced, abort.signal).then(
      (result) => {
        if (abort.signal.aborted) return;
        setIssues(result.issues);
        setCheckError(undefined);
        setChecking(false);
      },
      (error: unknown) => {
        if (abort.signal.aborted) return;
        setCheckError(toApiError(error));
        setChecking(false);
      },
    );
    return () => abort.abort();
  }, [debounced, journeyKey, connectionId]);

  const issuesByRow = useMemo(() => {
    const byRow = new Map<string, MappingIssue[]>();
    for (const issue of issues) {
      const id = rowId(issue);
      byRow.set(id, [...(byRow.get(id) ?? []), issue]);
    }
    return byRow;
  }, [issues]);
  const errors = issues.filter((issue) => issue.severity === 'error').length;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const result = await save.run(() => api.saveMapping(journeyKey, connectionId, { mapping }));
    if (result) {
      setStatus('Mapping saved.');
      setMapping(result.mapping);
      setSavedMapping(result.mapping);
      onReplaced(result);
    }
  };
  const submitUpload = async (event: FormEvent) => {
    event.preventDefault();
    const form = event.currentTarget;
    if (!file) return;
    const result = await upload.run(async () =>
      api.saveMapping(journeyKey, connectionId, { source: await file.text() }),
    );
    if (result) {
      setStatus(`Uploaded ${file.name}; the mapping is saved.`);
      setFile(null);
      if (form instanceof HTMLFormElement) form.reset();
      setMapping(result.mapping);
      setSavedMapping(result.mapping);
      onReplaced(result);
    }
  };

  return (
    <>
      <section>
        <h2 id="mapping-heading">
          {journey.name} on {connectionName}
        </h2>
        <p className="muted">
          {saved ? 'A saved mapping.' : 'No mapping saved yet: these are the defaults.'} Customer record
          object: <code>{customerObject(mapping)}</code>.
        </p>
        <StatusMessage>
          {checking
            ? 'Checking the mapping against the CRM…'
            : checkError
              ? `The mapping could not be checked: ${checkError.message}`
              : issues.length === 0
                ? 'The mapping fits the CRM’s fields.'
                : `${plural(errors, 'error')}, ${plural(issues.length - errors, 'warning')} — see the rows marked below.`}
        </StatusMessage>
        <form onSubmit={submit}>
          <table className="mapping-table">
            <thead>
              <tr>
                <th scope="col">Journey</th>
                <th scope="col">Type</th>
                <th scope="col">CRM field</th>
                <th scope="col">CRM type</th>
                <th scope="col">Check</th>
              </tr>
            </thead>
            {(['fact', 'output'] as const).map((kind) => (
              <tbody key={kind}>
                <tr className="section-row">
                  <th scope="rowgroup" colSpan={5}>
                    {kind === 'fact' ? 'Facts Milepost reads' : 'Outputs Milepost writes'}
                  </th>
                </tr>
                {rows
                  .filter((row) => row.kind === kind)
                  .map((row) => (
                    <MappingRowView
                      key={rowId(row)}
                      row={row}
                      mapping={mapping}
                      fields={fields}
                      issues={issuesByRow.get(rowId(row)) ?? []}
                      onChange={setMapping}
                    />
                  ))}
                {kind === 'fact' && rows.every((row) => row.kind !== 'fact') && (
                  <tr>
                    <td colSpan={5}>This journey has no facts.</td>
                  </tr>
                )}
              </tbody>
            ))}
          </table>
          <div className="field checkbox-field">
            <input
              id={writeNullsId}
              type="checkbox"
              checked={mapping.writeNulls ?? false}
              onChange={(event) => setMapping({ ...mapping, writeNulls: event.target.checked })}
            />
            <label htmlFor={writeNullsId}>Clear a CRM value when the journey has none (writeNulls)</label>
          </div>
          <ErrorMessage error={save.error} title="The mapping was not saved." />
          <div className="button-row">
            <button type="submit" className="primary" disabled={save.running}>
              Save
            </button>
            {dirty && <span className="muted">Unsaved changes</span>}
          </div>
        </form>
        <StatusMessage>{status}</StatusMessage>
      </section>
      <section>
        <h2 id="mapping-file-heading">mapping.yaml</h2>
        <p>
          The same file the <code>milepost</code> CLI reads.{' '}
          <a href={urls.mappingYaml(journeyKey, connectionId)}>Download mapping.yaml</a> (the saved mapping).
        </p>
        <form className="inline-form" onSubmit={submitUpload}>
          <div className="field">
            <label htmlFor={uploadId}>Upload mapping.yaml</label>
            <input
              id={uploadId}
              type="file"
              accept=".yaml,.yml,application/yaml,text/yaml"
              onChange={(event) => {
                setFile(event.target.files?.[0] ?? null);
                upload.clearError();
              }}
            />
          </div>
          <button type="submit" disabled={!file || upload.running}>
            Upload
          </button>
        </form>
        <ErrorMessage error={upload.error} title="The file was not saved." />
      </section>
    </>
  );
}

function fieldOptionId(field: Pick<CrmField, 'object' | 'name'>): string {
  return `${field.object}/${field.name}`;
}

function MappingRowView({
  row,
  mapping,
  fields,
  issues,
  onChange,
}: {
  row: MappingRow;
  mapping: Mapping;
  fields: CrmField[];
  issues: MappingIssue[];
  onChange: (mapping: Mapping) => void;
}) {
  const inputId = useId();
  const issuesId = useId();
  const entry = rowEntry(mapping, row);
  const field = findField(fields, mapping, entry);
  const defaultLabel = row.kind === 'output' ? 'Create new (Milepost creates it)' : `Default (${row.key})`;
  const defaultDetail = row.kind === 'output' ? 'a field Milepost manages' : 'the field named like the fact';
  const firstObject = customerObject(mapping);

  const search = useCallback(
    (query: string): ComboboxGroup[] => {
      const defaults: ComboboxGroup = {
        options: [{ id: DEFAULT_OPTION, label: defaultLabel, detail: defaultDetail }],
      };
      return [
        defaults,
        ...searchFields(fields, query, firstObject).map((group) => ({
          label: group.object,
          options: group.fields.map((item) => ({
            id: fieldOptionId(item),
            label: item.label,
            detail: `${item.name} · ${item.type}${item.managed ? ' · Milepost' : ''}`,
          })),
        })),
      ];
    },
    [fields, firstObject, defaultLabel, defaultDetail],
  );

  const valueLabel = !entry
    ? defaultLabel
    : field
      ? `${field.label} (${field.object}.${field.name})`
      : `${entry.object ?? firstObject}.${entry.field} (not in the CRM)`;
  const worst = issues.some((issue) => issue.severity === 'error')
    ? 'error'
    : issues.length > 0
      ? 'warning'
      : undefined;
  const flagged = issues.flatMap((issue) => issue.unmappedValues ?? []);
  const showValueMap = row.type === 'enum' && row.values && field?.type === 'enum';

  return (
    <>
      <tr className={worst ? `mapping-row row-${worst}` : 'mapping-row'}>
        <th scope="row">
          {row.label}
          <div className="muted small">
            <code>{row.key}</code>
          </div>
        </th>
        <td>{row.type}</td>
        <td>
          <label htmlFor={inputId} className="visually-hidden">
            CRM field for {row.label}
          </label>
          <Combobox
            id={inputId}
            search={search}
            value={entry ? (field ? fieldOptionId(field) : '') : DEFAULT_OPTION}
            valueLabel={valueLabel}
            describedBy={issues.length > 0 ? issuesId : undefined}
            invalid={worst === 'error'}
            onChange={(id) =>
              onChange(
                setRowField(
                  mapping,
                  row,
                  id === DEFAULT_OPTION ? undefined : fields.find((item) => fieldOptionId(item) === id),
                ),
              )
            }
          />
        </td>
        <td>{entry ? (field?.type ?? 'unknown') : row.kind === 'output' ? 'created by Milepost' : '—'}</td>
        <td id={issuesId}>
          {issues.length === 0 ? (
            <span className="mark mark-ok">
              <span aria-hidden="true">✓</span> OK
            </span>
          ) : (
            <IssueList
              issues={issues.map((issue) => ({ path: '', message: issue.message, severity: issue.severity }))}
            />
          )}
        </td>
      </tr>
      {showValueMap && field && (
        <tr className="value-map-row">
          <td />
          <td colSpan={4}>
            <ValueMap row={row} field={field} mapping={mapping} flagged={flagged} onChange={onChange} />
          </td>
        </tr>
      )}
    </>
  );
}

function ValueMap({
  row,
  field,
  mapping,
  flagged,
  onChange,
}: {
  row: MappingRow;
  field: CrmField;
  mapping: Mapping;
  flagged: string[];
  onChange: (mapping: Mapping) => void;
}) {
  const prefix = useId();
  const values = rowEntry(mapping, row)?.values;
  const lines = valueMapRows(row.values ?? [], field, values, flagged);
  return (
    <table className="value-map">
      <caption>
        Values of {row.label} ↔ options of {field.label}
      </caption>
      <thead>
        <tr>
          <th scope="col">Journey value</th>
          <th scope="col">CRM option</th>
          <th scope="col">Status</th>
        </tr>
      </thead>
      <tbody>
        {lines.map((line, index) => {
          const selectId = `${prefix}-${index}`;
          return (
            <tr key={line.journeyValue} className={line.unmapped ? 'row-error' : undefined}>
              <th scope="row">
                <label htmlFor={selectId}>{line.journeyValue}</label>
              </th>
              <td>
                <select
                  id={selectId}
                  value={line.crmValue ?? ''}
                  onChange={(event) =>
                    onChange(
                      setRowValues(
                        mapping,
                        row,
                        setValueMapping(values, line.journeyValue, event.target.value),
                      ),
                    )
                  }
                >
                  <option value="">Not mapped</option>
                  {line.crmValue !== undefined &&
                    !field.options?.some((option) => option.value === line.crmValue) && (
                      <option value={line.crmValue}>{line.crmValue} (not an option in the CRM)</option>
                    )}
                  {field.options?.map((option) => (
                    <option key={option.value} value={option.value}>
                      {option.label} ({option.value})
                    </option>
                  ))}
                </select>
              </td>
              <td>
                {line.unmapped ? (
                  <span className="mark mark-bad">
                    <span aria-hidden="true">✗</span> Not mapped
                  </span>
                ) : line.implicit ? (
                  'Same value'
                ) : (
                  <span className="mark mark-ok">
                    <span aria-hidden="true">✓</span> Mapped
                  </span>
                )}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
