import { describe, expect, test } from 'vitest';
import { hubSpotPipelineProperties } from './index.js';

describe('hubSpotPipelineProperties', () => {
  test('deals name their pipeline properties differently from tickets and custom objects', () => {
    expect(hubSpotPipelineProperties('deals')).toEqual({
      pipeline: 'pipeline',
      stage: 'dealstage',
      name: 'dealname',
    });
    expect(hubSpotPipelineProperties('tickets')).toEqual({
      pipeline: 'hs_pipeline',
      stage: 'hs_pipeline_stage',
      name: 'subject',
    });
    expect(hubSpotPipelineProperties('2-123456').pipeline).toBe('hs_pipeline');
  });
});
