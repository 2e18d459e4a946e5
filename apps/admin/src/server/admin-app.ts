/** The admin app: middleware, every route module, and the built UI. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';
import { registerAuthRoutes, requireAdmin, sessionMiddleware } from './admin-auth.js';
import type { AdminContext, AdminEnv } from './admin-context.js';
import { errorResponse, HttpError } from './http-errors.js';
import { registerConnectionRoutes } from './routes-connections.js';
import { registerDashboardRoutes } from './routes-dashboard.js';
import { registerHubSpotRoutes } from './routes-hubspot.js';
import { registerJourneyRoutes } from './routes-journeys.js';
import { registerMappingRoutes } from './routes-mappings.js';
import { registerPlanRoutes } from './routes-plans.js';
import { registerRunRoutes } from './routes-runs.js';

/** Builds the app; `app.request()` drives it in tests without a port. */
export function createAdminApp(context: AdminContext): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();
  app.onError((error, c) => errorResponse(error, c, context.log));
  app.use('*', async (c, next) => {
    await next();
    c.header('x-content-type-options', 'nosniff');
    c.header('referrer-policy', 'same-origin');
    if (!c.req.path.startsWith('/hubspot/')) c.header('x-frame-options', 'DENY');
  });
  app.use('/api/*', sessionMiddleware(context));
  app.use('/api/*', requireAdmin());

  registerAuthRoutes(app, context);
  registerJourneyRoutes(app, context);
  registerHubSpotRoutes(app, context);
  registerConnectionRoutes(app, context);
  registerMappingRoutes(app, context);
  registerPlanRoutes(app, context);
  registerRunRoutes(app, context);
  registerDashboardRoutes(app, context);

  app.all('/api/*', () => {
    throw new HttpError(404, 'NOT_FOUND', 'no such API route; see apps/admin/API.md');
  });
  if (context.config.uiDir) serveUi(app, context.config.uiDir);
  return app;
}

/** Serves the built single-page UI: its files, and index.html for every other page path. */
function serveUi(app: Hono<AdminEnv>, uiDir: string): void {
  app.use('/assets/*', serveStatic({ root: uiDir }));
  app.get('*', async (c, next) => {
    if (c.req.path.startsWith('/hubspot/')) return next();
    const file = c.req.path.match(/^\/[\w.-]+\.(svg|png|ico|txt)$/) ? c.req.path : '/index.html';
    try {
      const body = readFileSync(join(uiDir, file));
      const type = file.endsWith('.html')
        ? 'text/html; charset=utf-8'
        : file.endsWith('.svg')
          ? 'image/svg+xml'
          : 'application/octet-stream';
      return c.body(body, 200, { 'content-type': type });
    } catch {
      return next();
    }
  });
}
