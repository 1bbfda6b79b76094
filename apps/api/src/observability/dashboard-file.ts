import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The Grafana dashboard docker compose provisions; served as is, so both never differ. */
const RELATIVE = join('docker', 'grafana', 'dashboards', 'streaming.json');

/** Walks up from this module (src/ or dist/, or /app in the image) to the directory that holds the file. */
function locate(): string | null {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, RELATIVE);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

let cached: Promise<unknown> | null = null;

/** The dashboard definition, read once; null when the file is not shipped. */
export function grafanaDashboard(): Promise<unknown> {
  cached ??= (async () => {
    const file = locate();
    return file === null ? null : (JSON.parse(await readFile(file, 'utf8')) as unknown);
  })();
  return cached;
}

export const DASHBOARD_UID = 'cidadao-streaming';
