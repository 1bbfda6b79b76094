import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const DEV_SECRET_FILE = 'jwt-dev-secret';

export interface DevSecret {
  readonly secret: string;
  readonly file: string;
  /** True when this call generated it; false when an earlier start had persisted it. */
  readonly created: boolean;
}

/**
 * A secret of 32 random bytes kept in DATA_DIR/`fileName` (mode 0600), so it survives
 * restarts. The exclusive create lets two processes (the server and the token script)
 * race without overwriting each other's secret.
 */
export function loadOrCreateSecretFile(dataDir: string, fileName: string): DevSecret {
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

/** The embedded server's HS256 secret when JWT_SECRET is not set; `npm run token` signs with it. */
export function loadOrCreateDevSecret(dataDir: string): DevSecret {
  return loadOrCreateSecretFile(dataDir, DEV_SECRET_FILE);
}
