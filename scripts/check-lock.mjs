// Fails when package-lock.json leaves out an optional dependency some locked package
// declares (another platform's binary, say): `npm ci` refuses such a lock on any machine
// whose platform needs the missing entry. Reads the lock only; no network.
import { readFileSync } from 'node:fs';

const lock = JSON.parse(readFileSync(new URL('../package-lock.json', import.meta.url), 'utf8'));
const packages = lock.packages ?? {};

/** Where npm would look for `name` as seen from the package installed at `path`. */
function resolves(path, name) {
  for (let dir = path; ;) {
    if (packages[`${dir ? `${dir}/` : ''}node_modules/${name}`]) return true;
    if (!dir) return false;
    const cut = dir.lastIndexOf('/node_modules/');
    dir = cut < 0 ? '' : dir.slice(0, cut);
  }
}

const missing = [];
for (const [path, entry] of Object.entries(packages)) {
  for (const name of Object.keys(entry.optionalDependencies ?? {})) {
    if (!resolves(path, name)) missing.push(`${name} (optional dependency of ${path || 'the project'})`);
  }
}
if (missing.length > 0) {
  console.error(
    `package-lock.json is incomplete; run \`npm install --package-lock-only\` and commit it. Missing:\n  ${missing.join('\n  ')}`,
  );
  process.exit(1);
}
console.log(`package-lock.json is complete (${Object.keys(packages).length} entries)`);
