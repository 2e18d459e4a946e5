/**
 * The journey map: the server's SVG inline, filtered by persona, downloadable as SVG or PNG, and
 * printable on its own in landscape.
 */
import { useId, useState } from 'react';
import type { ApiError } from '../api.js';
import { api } from '../api.js';
import { ErrorMessage, JourneyNav, Loading, StatusMessage } from '../components.js';
import { toApiError, useResource } from '../hooks.js';
import { useSearchParam } from '../router.js';
import { downloadBlob, svgToPng } from '../svg-export.js';

/** The map screen of one journey. */
export function JourneyMapScreen({ journeyKey }: { journeyKey: string }) {
  const detail = useResource(() => api.journey(journeyKey), [journeyKey]);
  const [persona, setPersona] = useSearchParam('persona');
  const svg = useResource(() => api.mapSvg(journeyKey, persona || undefined), [journeyKey, persona]);
  const [exportError, setExportError] = useState<ApiError | undefined>(undefined);
  const [status, setStatus] = useState('');
  const personaId = useId();
  const personas = detail.data?.journey.personas ?? [];
  const fileBase = persona ? `${journeyKey}-${persona}` : journeyKey;

  const downloadPng = async () => {
    if (!svg.data) return;
    setExportError(undefined);
    try {
      downloadBlob(await svgToPng(svg.data, 2), `${fileBase}.png`);
      setStatus('PNG ready.');
    } catch (error) {
      setExportError(toApiError(error));
    }
  };

  return (
    <>
      <h1>Map of {detail.data?.name ?? journeyKey}</h1>
      <JourneyNav journeyKey={journeyKey} current="/map" />
      <ErrorMessage error={detail.error} title="Could not load the journey." />
      <div className="toolbar no-print">
        <div className="field">
          <label htmlFor={personaId}>Persona</label>
          <select id={personaId} value={persona} onChange={(event) => setPersona(event.target.value)}>
            <option value="">All personas</option>
            {personas.map((item) => (
              <option key={item.key} value={item.key}>
                {item.name}
              </option>
            ))}
          </select>
        </div>
        <button
          type="button"
          disabled={!svg.data}
          onClick={() =>
            svg.data && downloadBlob(new Blob([svg.data], { type: 'image/svg+xml' }), `${fileBase}.svg`)
          }
        >
          Download SVG
        </button>
        <button type="button" disabled={!svg.data} onClick={() => void downloadPng()}>
          Download PNG
        </button>
        <button type="button" disabled={!svg.data} onClick={() => window.print()}>
          Print
        </button>
      </div>
      <ErrorMessage error={svg.error ?? exportError} title="The map could not be shown." />
      <StatusMessage>{svg.loading ? 'Drawing the map…' : status}</StatusMessage>
      {svg.loading && !svg.data && <Loading what="the map" />}
      {svg.data && (
        <figure className="journey-map print-area">
          {/* Our own server's SVG (core renderJourneyMapSvg, text escaped there); inline so it scales and prints as vectors. */}
          {/* biome-ignore lint/security/noDangerouslySetInnerHtml: trusted, same-origin SVG */}
          <div className="journey-map-svg" dangerouslySetInnerHTML={{ __html: svg.data }} />
          <figcaption className="visually-hidden">
            Journey map of {detail.data?.name ?? journeyKey}
            {persona ? ` for persona ${personas.find((item) => item.key === persona)?.name ?? persona}` : ''}
          </figcaption>
        </figure>
      )}
    </>
  );
}
