import { parseArgs } from 'node:util';
import { InvalidSettingsError, ROLES, isRole, loadSections, signToken, signingSecret, type Role } from '#platform';

const USAGE = `usage: npm run --silent token -- --sub <user id> --role <${ROLES.join('|')}>[,<role>…] [--ttl <seconds>] [--name <display name>]`;
const MAX_TTL_SECONDS = 30 * 24 * 3600;

interface TokenArgs {
  readonly sub: string;
  readonly roles: Role[];
  readonly ttlSeconds: number;
  readonly name?: string;
}

function parseTokenArgs(argv: string[]): TokenArgs {
  const { values } = parseArgs({
    args: argv,
    options: {
      sub: { type: 'string' },
      role: { type: 'string', multiple: true },
      ttl: { type: 'string', default: '3600' },
      name: { type: 'string' },
    },
    strict: true,
  });
  const roles = (values.role ?? []).flatMap((r) => r.split(',')).map((r) => r.trim());
  const unknown = roles.filter((r) => !isRole(r));
  const ttlSeconds = Number(values.ttl);
  if (!values.sub) throw new Error('--sub is required');
  if (roles.length === 0 || unknown.length > 0)
    throw new Error(`--role must be one of ${ROLES.join(', ')}${unknown.length ? ` (got ${unknown.join(', ')})` : ''}`);
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1 || ttlSeconds > MAX_TTL_SECONDS)
    throw new Error(`--ttl must be whole seconds between 1 and ${MAX_TTL_SECONDS}`);
  return { sub: values.sub, roles: roles.filter(isRole), ttlSeconds, ...(values.name ? { name: values.name } : {}) };
}

/** Prints, on stdout alone, a token signed with the secret the server verifies with. */
async function main(): Promise<void> {
  const args = parseTokenArgs(process.argv.slice(2));
  const settings = loadSections();
  const secret = signingSecret(settings);
  if (!secret) throw new Error('JWT_SECRET is not set and JWT_JWKS_URL is: get tokens from your identity provider');
  if (secret.source === 'dev' && secret.created)
    console.error(`generated a development secret in ${secret.file}; the embedded server will use it`);
  const token = await signToken({
    secret: secret.secret,
    subject: args.sub,
    roles: args.roles,
    ttlSeconds: args.ttlSeconds,
    ...(args.name ? { name: args.name } : {}),
    ...(settings.auth.issuer ? { issuer: settings.auth.issuer } : {}),
    ...(settings.auth.audience ? { audience: settings.auth.audience } : {}),
  });
  process.stdout.write(`${token}\n`);
}

main().catch((error: unknown) => {
  console.error(
    error instanceof InvalidSettingsError
      ? error.message
      : `${error instanceof Error ? error.message : String(error)}\n${USAGE}`,
  );
  process.exit(1);
});
