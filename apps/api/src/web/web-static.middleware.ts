import type { NextFunction, Request, Response } from 'express';
import { acceptsEncoding } from '#platform';
import type { WebAssets } from './web-assets.js';
import { pageSecurityHeaders } from './web-security.js';

/** Paths the API owns: never answered from the dashboard's files. */
const API_PATHS = /^\/(api|health|metrics|socket\.io)(\/|$)/;

/** What the page needs to know to sign in, at /web-config.json. */
export interface WebConfig {
  readonly auth_required: boolean;
  readonly oidc: { readonly issuer: string; readonly client_id: string; readonly scope: string } | null;
}

/**
 * Serves the built dashboard at `/` from the API's own port: hashed assets cached as
 * immutable, index.html revalidated on every load (no-cache + ETag), the brotli or gzip file
 * the build wrote when the client accepts it; the page with its security headers.
 */
export function webStatic(assets: WebAssets, config: WebConfig) {
  const configBody = JSON.stringify(config);
  const pageHeaders = Object.entries(pageSecurityHeaders(config));
  return (req: Request, res: Response, next: NextFunction): void => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || API_PATHS.test(req.path)) return next();
    if (req.path === '/web-config.json') {
      res.setHeader('Cache-Control', 'no-cache');
      res.type('application/json').send(configBody);
      return;
    }
    const asset = assets.find(req.path);
    if (!asset) return next();
    res.setHeader('Content-Type', asset.type);
    res.setHeader('Cache-Control', asset.immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
    res.setHeader('ETag', asset.etag);
    res.setHeader('Vary', 'Accept-Encoding');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    if (asset.type.startsWith('text/html')) for (const [name, value] of pageHeaders) res.setHeader(name, value);
    if (req.headers['if-none-match'] === asset.etag) {
      res.status(304).end();
      return;
    }
    const accepted = req.headers['accept-encoding'];
    const [encoding, body] =
      asset.br && acceptsEncoding(accepted, 'br')
        ? ['br', asset.br]
        : asset.gzip && acceptsEncoding(accepted, 'gzip')
          ? ['gzip', asset.gzip]
          : [null, asset.body];
    if (encoding) res.setHeader('Content-Encoding', encoding);
    res.setHeader('Content-Length', body.length);
    res.status(200).end(req.method === 'HEAD' ? undefined : body);
  };
}
