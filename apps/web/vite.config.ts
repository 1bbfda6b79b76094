import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { defineConfig, type Plugin } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));
const outDir = join(here, '../../dist/web');
const COMPRESSIBLE = /\.(js|css|html|svg|json|txt)$/;

/** Writes `.gz` and `.br` beside every text asset, so the API serves them without compressing per request. */
function precompress(): Plugin {
  return {
    name: 'cidadao-precompress',
    apply: 'build',
    closeBundle() {
      const walk = (dir: string): string[] =>
        readdirSync(dir).flatMap((name) => {
          const path = join(dir, name);
          return statSync(path).isDirectory() ? walk(path) : [path];
        });
      for (const file of walk(outDir).filter((path) => COMPRESSIBLE.test(path))) {
        const body = readFileSync(file);
        writeFileSync(`${file}.gz`, gzipSync(body, { level: 9 }));
        writeFileSync(`${file}.br`, brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
      }
    },
  };
}

const api = process.env.API_URL ?? 'http://localhost:8000';

export default defineConfig({
  root: here,
  base: '/',
  resolve: {
    alias: { '@cidadao-ai/client': join(here, '../../packages/client/src/index.ts') },
  },
  build: { outDir, emptyOutDir: true, target: 'es2022', sourcemap: false, reportCompressedSize: true },
  plugins: [precompress()],
  server: {
    proxy: {
      '/api': { target: api, changeOrigin: true, ws: true },
      '/health': { target: api, changeOrigin: true },
      '/web-config.json': { target: api, changeOrigin: true },
    },
  },
});
