// `npm run token`: runs the compiled token script (dist/scripts/token.js), compiling first
// only when a source it is built from changed since, so a token costs a Node start, not a build.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const compiled = join(root, 'dist', 'scripts', 'token.js');
const SOURCES = ['apps', 'libs', 'scripts', 'package.json', 'tsconfig.json', 'tsconfig.build.json'];

/** The newest modification time under `path` (0 where nothing is): what the build would read. */
function newest(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return path.endsWith('.spec.ts') ? 0 : stat.mtimeMs;
  return readdirSync(path).reduce((latest, name) => Math.max(latest, newest(join(path, name))), 0);
}

const builtAt = existsSync(compiled) ? statSync(compiled).mtimeMs : -1;
if (builtAt < Math.max(...SOURCES.map((source) => newest(join(root, source))))) {
  // The token alone goes to stdout: the compiler's words go to stderr.
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const build = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], {
    stdio: ['ignore', process.stderr, 'inherit'],
  });
  if (build.status !== 0) process.exit(build.status ?? 1);
}
await import(pathToFileURL(compiled).href);
