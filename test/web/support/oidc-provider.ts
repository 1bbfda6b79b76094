import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { errors } from 'oidc-provider';

export interface OidcProviderOptions {
  /** The resource indicator whose access tokens are JWTs for the API (the API's JWT_AUDIENCE). */
  readonly audience: string;
  /** The scope of that resource the dashboard asks for. */
  readonly resourceScope: string;
  /** Login name → the provider's group names, put in the `groups` claim of access tokens. */
  readonly groups: Readonly<Record<string, readonly string[]>>;
}

/**
 * A real OpenID provider (oidc-provider) on an ephemeral port, with its development login and
 * consent pages. Its issuer is known before its one client is, since the client's redirect
 * URI is the origin of an API that is started with the issuer.
 */
export interface OidcProvider {
  readonly issuer: string;
  readonly jwksUri: string;
  /** Registers the public client (PKCE required, authorization code only) and starts answering. */
  serve(client: { clientId: string; redirectUri: string }): void;
  stop(): Promise<void>;
}

export async function startOidcProvider(options: OidcProviderOptions): Promise<OidcProvider> {
  const server: Server = createServer((_req, res) => res.writeHead(503).end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const signingKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
  return {
    issuer,
    jwksUri: `${issuer}/jwks`,
    serve({ clientId, redirectUri }) {
      const provider = new Provider(issuer, {
        clients: [
          {
            client_id: clientId,
            token_endpoint_auth_method: 'none',
            redirect_uris: [redirectUri],
            grant_types: ['authorization_code'],
            response_types: ['code'],
          },
        ],
        jwks: { keys: [{ ...signingKey, use: 'sig', alg: 'RS256', kid: 'test-key' }] },
        cookies: { keys: [randomBytes(32).toString('hex')] },
        pkce: { required: () => true },
        ttl: { AccessToken: 600, AuthorizationCode: 60, Grant: 600, IdToken: 600, Interaction: 600, Session: 600 },
        clientBasedCORS: (_ctx, origin, client) =>
          client.redirectUris?.some((uri) => new URL(uri).origin === origin) ?? false,
        findAccount: (_ctx, sub) => ({ accountId: sub, claims: () => ({ sub, preferred_username: sub }) }),
        extraTokenClaims: (_ctx, token) =>
          'accountId' in token && typeof token.accountId === 'string'
            ? { groups: [...(options.groups[token.accountId] ?? [])] }
            : undefined,
        features: {
          devInteractions: { enabled: true },
          resourceIndicators: {
            enabled: true,
            defaultResource: () => options.audience,
            useGrantedResource: () => true,
            getResourceServerInfo: (_ctx, resource) => {
              if (resource !== options.audience) throw new errors.InvalidTarget();
              return {
                scope: options.resourceScope,
                audience: options.audience,
                accessTokenFormat: 'jwt',
                accessTokenTTL: 600,
                jwt: { sign: { alg: 'RS256' } },
              };
            },
          },
        },
      });
      server.removeAllListeners('request');
      server.on('request', provider.callback());
    },
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
