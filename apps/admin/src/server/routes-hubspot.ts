/**
 * The HubSpot app's routes (API.md "HubSpot app"): the OAuth install and its callback, the installed
 * portals for the UI, and (from their own modules) webhooks and the card API.
 */
import { escapeHtml } from '@milepost/core';
import type { Context } from 'hono';
import type { AdminApp, AdminContext, AdminEnv } from './admin-context.js';
import { HttpError } from './http-errors.js';
import { registerHubSpotCardRoutes } from './hubspot-card.js';
import {
  consumeOAuthState,
  createOAuthState,
  exchangeHubSpotCode,
  HUBSPOT_CALLBACK_PATH,
  hubSpotAuthorizeUrl,
  hubSpotClient,
  listHubSpotInstalls,
  loadHubSpotInstall,
  preflightHubSpotInstall,
  storeHubSpotInstall,
} from './hubspot-install.js';
import { registerHubSpotWebhookRoutes, scheduleHubSpotWebhookSync } from './hubspot-webhooks.js';

/** A small self-contained page for the browser that went through HubSpot's consent screen. */
function page(
  c: Context<AdminEnv>,
  status: 200 | 400 | 404 | 500 | 502 | 503,
  title: string,
  message: string,
  link?: { href: string; text: string },
) {
  c.header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'");
  c.header('cache-control', 'no-store');
  return c.html(
    `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)} · Milepost</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#1f2933}</style>
</head><body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p>${
      link ? `<p><a href="${escapeHtml(link.href)}">${escapeHtml(link.text)}</a></p>` : ''
    }</body></html>`,
    status,
  );
}

const AGAIN = { href: '/hubspot/install', text: 'Install Milepost again' };

/** Registers the install, callback, installs, webhook and card routes. */
export function registerHubSpotRoutes(app: AdminApp, context: AdminContext): void {
  app.get('/hubspot/install', async (c) => {
    try {
      hubSpotClient(context);
    } catch (error) {
      if (error instanceof HttpError) return page(c, 503, 'Milepost cannot be installed yet', error.message);
      throw error;
    }
    // Unauthenticated inserts: old states are swept here so they cannot pile up.
    await context.database.query('delete from oauth_states where expires_at < $1', [
      new Date(context.now().getTime() - 86_400_000),
    ]);
    const state = await createOAuthState(context);
    c.header('cache-control', 'no-store');
    return c.redirect(hubSpotAuthorizeUrl(context, state), 302);
  });

  app.get(HUBSPOT_CALLBACK_PATH, async (c) => {
    const state = c.req.query('state') ?? '';
    // The state is used up whatever the outcome, so a denied or failed attempt cannot be replayed.
    const stateValid = state !== '' && (await consumeOAuthState(context, state));
    const error = c.req.query('error');
    if (error === 'access_denied') {
      return page(
        c,
        200,
        'Milepost was not installed',
        'You cancelled the connection in HubSpot, so nothing was stored. You can install Milepost whenever you are ready.',
        { href: '/hubspot/install', text: 'Install Milepost' },
      );
    }
    if (error) {
      return page(
        c,
        400,
        'HubSpot did not connect Milepost',
        `HubSpot reported "${error.slice(0, 100)}". Try again.`,
        AGAIN,
      );
    }
    if (!stateValid) {
      return page(
        c,
        400,
        'This install link is no longer valid',
        'It expired, was used already, or did not start on this server. Start the install again.',
        AGAIN,
      );
    }
    const code = c.req.query('code');
    if (!code || code.length > 512) {
      return page(c, 400, 'HubSpot did not send an authorization code', 'Start the install again.', AGAIN);
    }
    let installed: Awaited<ReturnType<typeof storeHubSpotInstall>>;
    try {
      installed = await storeHubSpotInstall(context, await exchangeHubSpotCode(context, code));
    } catch (failure) {
      if (failure instanceof HttpError) {
        return page(
          c,
          failure.status === 503 ? 503 : 502,
          'Milepost could not finish the install',
          failure.message,
          AGAIN,
        );
      }
      throw failure;
    }
    context.log(
      `HubSpot account ${installed.hubId} ${installed.reinstall ? 'reinstalled' : 'installed'} Milepost (connection ${installed.connectionId})`,
    );
    await preflightHubSpotInstall(context, installed.hubId);
    // Events that arrived while the token was refused are synced now that it works again.
    if (installed.reinstall) scheduleHubSpotWebhookSync(context, installed.hubId);
    return c.redirect(`/installs/${installed.hubId}`, 302);
  });

  app.get('/api/installs', async (c) => c.json(await listHubSpotInstalls(context)));

  app.get('/api/installs/:hubId', async (c) => {
    const text = c.req.param('hubId');
    const install = /^\d{1,15}$/.test(text) ? await loadHubSpotInstall(context, Number(text)) : undefined;
    if (!install) throw new HttpError(404, 'NOT_FOUND', `HubSpot account ${text} has not installed Milepost`);
    return c.json(install);
  });

  registerHubSpotWebhookRoutes(app, context);
  registerHubSpotCardRoutes(app, context);
}
