import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join, normalize, sep } from 'node:path';

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json; charset=utf-8',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** One file of the built dashboard, with the precompressed variants the build wrote beside it. */
export interface WebAsset {
  readonly type: string;
  /** Hashed file names never change content: cached for a year; the rest revalidated. */
  readonly immutable: boolean;
  readonly etag: string;
  readonly body: Buffer;
  readonly br: Buffer | null;
  readonly gzip: Buffer | null;
}

/**
 * The files of the built dashboard (`vite build` into dist/web), read once: a few hundred
 * kilobytes, served from memory. Paths outside the folder are never read.
 */
export class WebAssets {
  private readonly cache = new Map<string, WebAsset | null>();

  constructor(readonly dir: string) {}

  get available(): boolean {
    return existsSync(join(this.dir, 'index.html'));
  }

  /** The asset for a URL path (`/` is index.html), or null. */
  find(urlPath: string): WebAsset | null {
    const relative = urlPath === '/' ? 'index.html' : decodeURIComponent(urlPath).replace(/^\/+/, '');
    if (this.cache.has(relative)) return this.cache.get(relative) ?? null;
    const asset = this.read(relative);
    this.cache.set(relative, asset);
    return asset;
  }

  private read(relative: string): WebAsset | null {
    const path = normalize(join(this.dir, relative));
    if (!path.startsWith(this.dir + sep) || relative.endsWith('.gz') || relative.endsWith('.br')) return null;
    const type = TYPES[extname(path)];
    if (!type || !existsSync(path) || !statSync(path).isFile()) return null;
    const stat = statSync(path);
    const optional = (variant: string): Buffer | null => (existsSync(variant) ? readFileSync(variant) : null);
    return {
      type,
      immutable: relative.startsWith('assets/'),
      etag: `"${stat.size.toString(16)}-${Math.floor(stat.mtimeMs).toString(16)}"`,
      body: readFileSync(path),
      br: optional(`${path}.br`),
      gzip: optional(`${path}.gz`),
    };
  }
}
