import type { SettingsSections } from '../config/settings-sections.js';
import { InvalidSettingsError } from '../config/settings.js';
import { loadOrCreateDevSecret, type DevSecret } from './dev-secret.js';

export interface AuthMode {
  /** False only where requests without a token act as the local anonymous analyst. */
  readonly required: boolean;
  /** Where HS256 tokens are verified from: the setting, the persisted dev secret, or nowhere. */
  readonly secretSource: 'setting' | 'dev' | 'none';
}

/**
 * AUTH_REQUIRED unset means: required when JWT_SECRET or JWT_JWKS_URL is set, or in
 * distributed mode; not required in embedded mode without them, so local curls just work.
 * A distributed API with required auth and no key cannot verify anyone: refuse to start.
 */
export function resolveAuthMode({ auth, process }: Pick<SettingsSections, 'auth' | 'process'>): AuthMode {
  const configured = auth.jwtSecret !== undefined || auth.jwksUrl !== undefined;
  const { embedded } = process;
  const required = auth.required ?? (configured || !embedded);
  if (required && !configured && !embedded) {
    throw new InvalidSettingsError([
      'JWT_SECRET: is required in distributed mode (or set JWT_JWKS_URL, or AUTH_REQUIRED=false)',
    ]);
  }
  const secretSource =
    auth.jwtSecret !== undefined ? 'setting' : embedded && auth.jwksUrl === undefined ? 'dev' : 'none';
  return { required, secretSource };
}

export type SigningSecret =
  { readonly source: 'setting'; readonly secret: string } | ({ readonly source: 'dev' } & DevSecret);

/** The HS256 secret this server verifies with, creating the dev secret on first use; null when tokens come only from a JWKS. */
export function signingSecret(settings: Pick<SettingsSections, 'auth' | 'process' | 'storage'>): SigningSecret | null {
  const { secretSource } = resolveAuthMode(settings);
  const { jwtSecret } = settings.auth;
  if (secretSource === 'setting' && jwtSecret !== undefined) return { source: 'setting', secret: jwtSecret };
  if (secretSource === 'dev') return { source: 'dev', ...loadOrCreateDevSecret(settings.storage.dataDir) };
  return null;
}
