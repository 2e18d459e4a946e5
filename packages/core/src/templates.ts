/**
 * The journey templates bundled with the package (`templates/*.yaml`), taken from the customer
 * success literature: a starting point for `milepost init` and an "ideal" journey to diff against.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { formatDiagnostic, knownValuesHint } from './diagnostics.js';
import { MilepostError } from './errors.js';
import { hasErrors, parseJourneySources } from './journey-loader.js';
import type { Journey } from './journey-schema.js';

/** Names of the bundled templates. */
export const TEMPLATE_NAMES = [
  'saas-lifecycle',
  'post-sale',
  'customer-lifecycle',
  'pre-sale',
  'yearly-successcycles',
] as const;

/** The name of a bundled template. */
export type TemplateName = (typeof TEMPLATE_NAMES)[number];

/** What `listTemplates` tells about one template. */
export interface TemplateInfo {
  name: TemplateName;
  /** The journey's name. */
  title: string;
  /** The journey's description. */
  description: string;
  /** The names of its stages, in order. */
  stages: string[];
}

// Relative to this module, which is `src/templates.ts` in tests and `dist/index.js` once bundled:
// both sit one level below the package root, where `templates/` is (and is published, see `files`).
const TEMPLATE_DIRECTORY = new URL('../templates/', import.meta.url);

function isTemplateName(name: string): name is TemplateName {
  return (TEMPLATE_NAMES as readonly string[]).includes(name);
}

/**
 * The absolute path of a bundled template's YAML file.
 * @throws MilepostError `INVALID_INPUT` for an unknown name, listing the known ones.
 */
export function templatePath(name: string): string {
  if (!isTemplateName(name)) {
    throw new MilepostError({
      code: 'INVALID_INPUT',
      message: `unknown template "${name}"${knownValuesHint(name, TEMPLATE_NAMES)}`,
      details: { templates: [...TEMPLATE_NAMES] },
    });
  }
  return fileURLToPath(new URL(`${name}.yaml`, TEMPLATE_DIRECTORY));
}

/** The YAML text of a bundled template, comments included (what `milepost init` writes). */
export function readTemplate(name: string): string {
  return readFileSync(templatePath(name), 'utf8');
}

/**
 * A bundled template, parsed and validated. Each call returns a fresh object, so callers may
 * change it.
 * @throws MilepostError `INVALID_INPUT` for an unknown name; `INVALID_FILE` if the file does not
 * validate (only possible when the installed file was edited).
 */
export function loadTemplate(name: string): Journey {
  const file = templatePath(name);
  const result = parseJourneySources([{ file, text: readFileSync(file, 'utf8') }]);
  const journey = result.journeys[0];
  if (hasErrors(result.diagnostics) || !journey || result.journeys.length > 1) {
    const errors = result.diagnostics.filter((diagnostic) => diagnostic.severity === 'error');
    throw new MilepostError({
      code: 'INVALID_FILE',
      message: `template "${name}" does not load (${file}); reinstall @milepost/core${errors.length ? `:\n${errors.map(formatDiagnostic).join('\n')}` : ''}`,
      details: { diagnostics: errors },
    });
  }
  return journey;
}

/** Every bundled template with its title, description and stage names, in `TEMPLATE_NAMES` order. */
export function listTemplates(): TemplateInfo[] {
  return TEMPLATE_NAMES.map((name) => {
    const journey = loadTemplate(name);
    return {
      name,
      title: journey.name,
      description: journey.description ?? '',
      stages: journey.stages.map((stage) => stage.name),
    };
  });
}
