export { CONFORMANCE_RECORDS, conformanceJourney } from './conformance-journey.js';
export {
  type ConformanceHarness,
  type ConformanceTarget,
  runAdapterConformance,
} from './conformance-suite.js';
