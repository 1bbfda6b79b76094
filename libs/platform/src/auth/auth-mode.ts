import { InvalidSettingsError, isEmbedded, type Settings } from '../config/settings.js';
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
export function resolveAuthMode(settings: Settings): AuthMode {
  const configured = settings.JWT_SECRET !== undefined || settings.JWT_JWKS_URL !== undefined;
  const embedded = isEmbedded(settings);
  const required = settings.AUTH_REQUIRED ?? (configured || !embedded);
  if (required && !configured && !embedded) {
    throw new InvalidSettingsError([
      'JWT_SECRET: is required in distributed mode (or set JWT_JWKS_URL, or AUTH_REQUIRED=false)',
    ]);
  }
  const secretSource =
    settings.JWT_SECRET !== undefined ? 'setting' : embedded && settings.JWT_JWKS_URL === undefined ? 'dev' : 'none';
  return { required, secretSource };
}

export type SigningSecret =
  { readonly source: 'setting'; readonly secret: string } | ({ readonly source: 'dev' } & DevSecret);

/** The HS256 secret this server verifies with, creating the dev secret on first use; null when tokens come only from a JWKS. */
export function signingSecret(settings: Settings): SigningSecret | null {
  const { secretSource } = resolveAuthMode(settings);
  if (secretSource === 'setting' && settings.JWT_SECRET !== undefined)
    return { source: 'setting', secret: settings.JWT_SECRET };
  if (secretSource === 'dev') return { source: 'dev', ...loadOrCreateDevSecret(settings.DATA_DIR) };
  return null;
}
