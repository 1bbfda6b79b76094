import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface PersistedSecret {
  readonly secret: string;
  readonly file: string;
  /** True when this call generated it; false when an earlier start had persisted it. */
  readonly created: boolean;
}

/**
 * A secret an embedded server generates once when its setting is absent: 32 random bytes
 * in `dataDir/fileName` (mode 0600), so it survives restarts. The exclusive create lets two
 * processes race (the server and a script) without overwriting each other's secret.
 */
export function loadOrCreateSecret(dataDir: string, fileName: string): PersistedSecret {
  const file = join(dataDir, fileName);
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  try {
    writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
    return { secret, file, created: true };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const existing = readFileSync(file, 'utf8').trim();
  if (existing.length < 32) throw new Error(`${file} holds no usable secret; delete it to have a new one generated`);
  return { secret: existing, file, created: false };
}
