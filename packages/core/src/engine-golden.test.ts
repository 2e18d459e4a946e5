// Golden test of the engine's output, pinned before the evaluation hot path was optimised: the
// states of thousands of generated records must serialise byte for byte as they did before, both
// as `stateToJson` (the `--json` contract) and as the raw `JourneyState` (so fields computed lazily
// on first read still serialise identically, in the same order).
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { compileJourney, type EvaluateOptions, evaluate, stateToJson } from './engine.js';
import { generateSampleRecords } from './sample-records.js';
import { loadTemplate, type TemplateName } from './templates.js';

const GENERATED_AT = '2026-06-30';
const EVALUATED_AT = '2026-07-15';

interface Golden {
  template: TemplateName;
  count: number;
  options?: EvaluateOptions;
  /** sha256 of the `JSON.stringify(stateToJson(state))` lines. */
  json: string;
  /** sha256 of the `JSON.stringify(state)` lines. */
  raw: string;
}

// Measured with the engine as it was before the optimisation (commit 5f49540).
const GOLDEN: Golden[] = [
  {
    template: 'saas-lifecycle',
    count: 5000,
    json: '94e38e80708dee45852a79e2d2082db6f6a9487617ba9a1b07d637a92949b392',
    raw: 'b63a9a355173912396a61d2af9c744892f739c9f65f60a89f6d5886406331680',
  },
  {
    template: 'saas-lifecycle',
    count: 5000,
    options: { tasks: false },
    json: '27a6cef63deec8e154ed9401b26e95a173af26bb2019a6423ed689e21a81628a',
    raw: '6053d5ea1da6e4a6a8168ee837562372297e8b158fdeeb3ef909eaece5572679',
  },
  {
    template: 'post-sale',
    count: 1000,
    json: 'fc68016589b5893dcaf425b963cf8eb78df909737c7e6f230cc3d1a77d3f7df3',
    raw: '046eea67aa822c6f7666c7ccff0747b37bb2bb2f82b9d7ddb7a33acad06762d1',
  },
  {
    template: 'customer-lifecycle',
    count: 1000,
    json: 'bf7893d30327d21c70d5c2fe9eb538c14a53bb358057ee600adf8d45a461f286',
    raw: '2ee7d1f8debdae9e5a3ee7fd61d1f9f36cf4bb46759f4ddc3cca6450d5d85a03',
  },
  {
    template: 'pre-sale',
    count: 1000,
    json: '01c9bb474cdf9731926896f90d38066affb97c8849f20f3dd700c583557d8f9a',
    raw: '3b72eb68c9759aadc85f075233ca7f5f4dfea30870562890a70cdee456f15e07',
  },
  {
    template: 'yearly-successcycles',
    count: 1000,
    json: 'b263e25909560084a2475f93a5b58752437e69a5f449ea3bd64ce389a614c478',
    raw: 'b076e464234b11102cc64b109126bc88fa18e07cab2155fbfd6ed85436e1169d',
  },
];

function hashes(golden: Golden): { json: string; raw: string } {
  const journey = loadTemplate(golden.template);
  const compiled = compileJourney(journey);
  const json = createHash('sha256');
  const raw = createHash('sha256');
  for (const record of generateSampleRecords(journey, { count: golden.count, seed: 9, now: GENERATED_AT })) {
    const state = evaluate(compiled, record, EVALUATED_AT, golden.options);
    json.update(`${JSON.stringify(stateToJson(state))}\n`);
    raw.update(`${JSON.stringify(state)}\n`);
  }
  return { json: json.digest('hex'), raw: raw.digest('hex') };
}

describe('engine output is unchanged (golden hashes)', () => {
  it.each(GOLDEN)('$template, $count records, options $options', (golden) => {
    expect(hashes(golden)).toEqual({ json: golden.json, raw: golden.raw });
  });
});
