// OpenID Provider for the gateway's integration tests (npm oidc-provider, pinned in package.json). TEST ONLY.
// Started by src/Gateway.Tests/TestSupport/OidcProviderProcess.cs; prints "READY <issuer>" once listening.
// Clients register themselves (Dynamic Client Registration), one per test gateway, so each gateway gets its own
// redirect URI, client id and secret. Any login and password are accepted (devInteractions); consent is skipped.
// env: OIDC_PORT (required), OIDC_HOST (127.0.0.1), OIDC_ISSUER (default http://HOST:PORT),
//      OIDC_USERS (JSON: {"alice": {"groups": ["engineering"]}}; other users have no groups)
import { generateKeyPairSync } from 'node:crypto';
import Provider from 'oidc-provider';

const env = process.env;
const HOST = env.OIDC_HOST ?? '127.0.0.1';
const PORT = Number(env.OIDC_PORT);
const USERS = JSON.parse(env.OIDC_USERS ?? '{}');

// Fresh signing keys per start: RS256 and ES256, chosen per client with id_token_signed_response_alg.
const jwk = (type, opts, kid, alg) => ({
  ...generateKeyPairSync(type, opts).privateKey.export({ format: 'jwk' }), kid, alg, use: 'sig',
});
const jwks = { keys: [jwk('rsa', { modulusLength: 2048 }, 'rs256-1', 'RS256'),
                      jwk('ec', { namedCurve: 'P-256' }, 'es256-1', 'ES256')] };

const claimsOf = (sub) => ({
  sub,
  name: `User ${sub}`,
  preferred_username: sub,
  email: USERS[sub]?.email ?? `${sub}@example.test`,
  email_verified: true,
  groups: USERS[sub]?.groups ?? [],
});

const start = (port) => new Promise((resolve, reject) => {
  const issuer = env.OIDC_ISSUER ?? `http://${HOST}:${port}`;
  const provider = new Provider(issuer, {
    jwks,
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: true },
      registration: { enabled: true },
    },
    scopes: ['openid', 'offline_access', 'profile', 'email', 'groups'],
    claims: {
      openid: ['sub'],
      profile: ['name', 'preferred_username'],
      email: ['email', 'email_verified'],
      groups: ['groups'],
    },
    conformIdTokenClaims: false, // scope claims in the id_token too, as many providers do for groups
    findAccount: async (ctx, sub) => ({ accountId: sub, claims: async () => claimsOf(sub) }),
    cookies: { keys: ['test-cookie-key-not-secret'] },
    // First-party clients: grant what they ask for, no consent screen.
    loadExistingGrant: async (ctx) => {
      const id = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
      if (id) return ctx.oidc.provider.Grant.find(id);
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
      grant.addOIDCScope('openid profile email groups offline_access');
      await grant.save();
      ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId, grant.jti);
      return grant;
    },
  });
  provider.on('server_error', (ctx, err) => console.error('server_error', err));
  const server = provider.listen(port, HOST, () => resolve({ server, issuer }));
  server.on('error', reject);
});

const { issuer } = await start(PORT);
console.log(`READY ${issuer}`);
