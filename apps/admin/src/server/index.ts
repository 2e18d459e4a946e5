/** The admin server as a library: the demo and the tests start it in-process. */
export { createAdminApp } from './admin-app.js';
export { type AdminConfig, adminConfigFromEnv } from './admin-config.js';
export type { AdapterFactory, AdminContext, ConnectionWithSecrets } from './admin-context.js';
export {
  type AdminServerOptions,
  createAdminContext,
  defaultUiDir,
  type RunningAdminServer,
  startAdminServer,
} from './admin-server.js';
export { createAdapterFactory } from './crm-adapters.js';
export { type Database, openDatabase } from './database.js';
