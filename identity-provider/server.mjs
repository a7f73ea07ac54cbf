// The embedded OpenID Connect provider for development and tests (oidc-provider).
// Configured from the environment only; see docs/identity-provider.md.
// Production never runs this: there the services trust ID-porten and Entra ID.

import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';

import Provider, { errors } from 'oidc-provider';

const PUBLIC_CLIENT_SCOPES = 'openid profile email';
const ADMIN_SCOPE = 'samspill.admin';

function fail(message) {
  console.error(`identity-provider: ${message}`);
  process.exit(2);
}

function readSettings(env) {
  const port = Number.parseInt(env.IDP_PORT ?? '', 10);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) fail('IDP_PORT must be a port number');
  if (!env.IDP_JWKS_FILE) fail('IDP_JWKS_FILE must name a JSON file {"keys": [private JWKs]}');
  const ttl = Number.parseInt(env.IDP_ACCESS_TOKEN_TTL ?? '3600', 10);
  if (!Number.isInteger(ttl) || ttl <= 0) fail('IDP_ACCESS_TOKEN_TTL must be a positive number of seconds');
  const audience = env.IDP_AUDIENCE || 'samspill';
  return {
    port,
    issuer: env.IDP_ISSUER || `http://127.0.0.1:${port}`,
    keys: readKeys(env.IDP_JWKS_FILE),
    audience,
    // A resource indicator must be an absolute URI; a bare audience such as "samspill" is not.
    resource: URL.parse(audience) ? audience : `urn:${audience}`,
    redirectUris: (env.IDP_REDIRECT_URIS || 'http://127.0.0.1/callback')
      .split(',').map((uri) => uri.trim()).filter(Boolean),
    accessTokenTTL: ttl,
    extraClaims: readExtraClaims(env.IDP_EXTRA_CLAIMS),
    integrationSecret: env.IDP_INTEGRATION_SECRET || 'samspill-integration-dev-secret',
  };
}

function readKeys(path) {
  let keys;
  try {
    ({ keys } = JSON.parse(readFileSync(path, 'utf8')));
  } catch (error) {
    fail(`cannot read the keys in IDP_JWKS_FILE: ${error.message}`);
  }
  if (!Array.isArray(keys) || keys.length === 0) fail('IDP_JWKS_FILE holds no keys');
  return keys;
}

function readExtraClaims(text) {
  if (!text) return {};
  let claims;
  try {
    claims = JSON.parse(text);
  } catch (error) {
    fail(`IDP_EXTRA_CLAIMS is not JSON: ${error.message}`);
  }
  if (claims === null || typeof claims !== 'object' || Array.isArray(claims)) {
    fail('IDP_EXTRA_CLAIMS must be a JSON object');
  }
  return claims;
}

function readPeople() {
  const url = new URL('./people.json', import.meta.url);
  return new Map(JSON.parse(readFileSync(url, 'utf8')).map((person) => [person.id, person]));
}

// The claims a person has: what people.json says (any login name is a person with just a sub),
// plus the planted extra claims. No permissions but the admin group.
function personClaims(people, extraClaims, id) {
  const { id: _, description: __, ...claims } = people.get(id) ?? {};
  return { ...claims, ...extraClaims, sub: id };
}

function clients(settings) {
  const publicClient = (clientId) => ({
    client_id: clientId,
    application_type: 'web',
    token_endpoint_auth_method: 'none',
    grant_types: ['authorization_code'],
    response_types: ['code'],
    redirect_uris: settings.redirectUris,
    scope: PUBLIC_CLIENT_SCOPES,
  });
  return [
    publicClient('samspill-portal'),
    publicClient('samspill-docs'),
    {
      client_id: 'samspill-integration',
      client_secret: settings.integrationSecret,
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      scope: ADMIN_SCOPE,
    },
  ];
}

// Scopes the client may not have are refused, not silently dropped (which oidc-provider does
// with scopes it does not know, e.g. in a client-credentials request).
function refuseUnknownScopes(ctx, client) {
  const requested = ctx.oidc.params.scope?.split(' ').filter(Boolean) ?? [];
  const allowed = new Set(client.scope?.split(' ') ?? []);
  const refused = requested.find((scope) => !allowed.has(scope));
  if (refused !== undefined) throw new errors.InvalidScope('requested scope is not allowed', refused);
}

function configuration(settings, people) {
  const extraClaimNames = Object.keys(settings.extraClaims);
  return {
    clients: clients(settings),
    jwks: { keys: settings.keys },
    scopes: ['openid', 'profile', 'email', ADMIN_SCOPE],
    claims: {
      openid: ['sub', ...extraClaimNames],
      profile: ['name', 'given_name', 'family_name', 'groups'],
      email: ['email', 'email_verified'],
    },
    // The access tokens are for the APIs, not for userinfo: the ID token carries the claims.
    conformIdTokenClaims: false,
    async findAccount(_ctx, id) {
      return {
        accountId: id,
        async claims() {
          return personClaims(people, settings.extraClaims, id);
        },
      };
    },
    async extraTokenClaims(_ctx, token) {
      if (!token.accountId) return undefined;
      const { groups } = personClaims(people, {}, token.accountId);
      return { ...(groups ? { groups } : {}), ...settings.extraClaims };
    },
    pkce: { required: () => true },
    clientBasedCORS(_ctx, origin, client) {
      if (client.clientAuthMethod !== 'none') return false;
      return client.redirectUris.some((uri) => URL.parse(uri)?.origin === origin);
    },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    responseTypes: ['code'],
    ttl: {
      AccessToken: settings.accessTokenTTL,
      ClientCredentials: settings.accessTokenTTL,
      AuthorizationCode: 60,
      IdToken: 3600,
      Interaction: 3600,
      Session: 24 * 3600,
      Grant: 24 * 3600,
    },
    features: {
      devInteractions: { enabled: true },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        // Every token is for the APIs, whether or not the client names them.
        async defaultResource() {
          return settings.resource;
        },
        async useGrantedResource() {
          return true;
        },
        async getResourceServerInfo(ctx, resourceIndicator, client) {
          if (resourceIndicator !== settings.resource) throw new errors.InvalidTarget();
          refuseUnknownScopes(ctx, client);
          return {
            audience: settings.audience,
            scope: `${PUBLIC_CLIENT_SCOPES} ${ADMIN_SCOPE}`,
            accessTokenFormat: 'jwt',
            accessTokenTTL: settings.accessTokenTTL,
            jwt: { sign: { alg: 'RS256' } },
          };
        },
      },
    },
  };
}

const settings = readSettings(process.env);
const provider = new Provider(settings.issuer, configuration(settings, readPeople()));
const server = provider.listen(settings.port, '127.0.0.1', () => {
  console.log(`identity-provider: ${settings.issuer} (listening on 127.0.0.1:${settings.port})`);
});
const stop = () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
