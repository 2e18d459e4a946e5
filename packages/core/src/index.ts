export * from './diagnostics.js';
export * from './errors.js';
export * from './journey-loader.js';
export * from './journey-schema.js';
export * from './journey-validation.js';
export * from './mapping-schema.js';
