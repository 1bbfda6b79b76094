import type { INestApplication } from '@nestjs/common';
import { fileURLToPath } from 'node:url';
import { resolveAuthMode, type Runtime } from '#platform';
import { WebAssets } from './web-assets.js';
import { webStatic, type WebConfig } from './web-static.middleware.js';

/** Where `npm run build` puts the dashboard, seen from the compiled dist/apps/api/src/web. */
export const BUILT_WEB_DIR = fileURLToPath(new URL('../../../../web', import.meta.url));

export function webConfigOf(runtime: Runtime): WebConfig {
  const { settings } = runtime;
  const { oidc } = settings.auth;
  return {
    auth_required: resolveAuthMode(settings).required,
    oidc: oidc ? { issuer: oidc.issuer, client_id: oidc.clientId, scope: oidc.scope } : null,
  };
}

/** The dashboard at `/`, when it was built; an API built without it answers its routes alone. */
export function installWeb(app: INestApplication, runtime: Runtime, dir = BUILT_WEB_DIR): void {
  const assets = new WebAssets(dir);
  if (!assets.available) {
    runtime.logger.info({ dir }, 'no built dashboard: run `npm run build` to serve it at /');
    return;
  }
  app.use(webStatic(assets, webConfigOf(runtime)));
}
