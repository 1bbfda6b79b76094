import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

/**
 * What a browser downloads before the dashboard is usable: the scripts and stylesheets
 * index.html loads, raw, gzipped (level 9, as the build precompresses) and in brotli.
 * Budget: 150 KB of JavaScript gzipped.
 *
 *   npm run build && node dist/bench/web/initial-js.bench.js
 */
const WEB = join(process.cwd(), 'dist', 'web');
const BUDGET_GZIP_JS = 150 * 1024;

const html = readFileSync(join(WEB, 'index.html'), 'utf8');
const initial = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1] ?? '');
const kb = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KB`;
let jsGzip = 0;
console.log('file | raw | gzip -9 | brotli 11');
console.log('--- | ---: | ---: | ---:');
for (const file of initial) {
  const body = readFileSync(join(WEB, file));
  const gzip = gzipSync(body, { level: 9 }).length;
  const br = brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
  if (file.endsWith('.js')) jsGzip += gzip;
  console.log(`${file} | ${kb(body.length)} | ${kb(gzip)} | ${kb(br)}`);
}
console.log(
  `initial JavaScript gzipped: ${kb(jsGzip)} of a ${kb(BUDGET_GZIP_JS)} budget (${((jsGzip / BUDGET_GZIP_JS) * 100).toFixed(0)}%)`,
);
