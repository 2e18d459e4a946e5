#!/usr/bin/env node
/** `milepost-admin`: the admin server, configured by the environment (see the app's README). */
import { adminConfigFromEnv } from './admin-config.js';
import { defaultUiDir, startAdminServer } from './admin-server.js';

const config = adminConfigFromEnv();
const uiDir = config.uiDir ?? defaultUiDir();
const server = await startAdminServer({ config: { ...config, ...(uiDir ? { uiDir } : {}) } });
console.log(`Admin: ${server.url}`);
const stop = async () => {
  await server.close();
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
