// SPDX-License-Identifier: GPL-3.0-or-later
// A real, OpenID-certified provider (the npm package oidc-provider) for tests/ui/test-interop.c:
// plain http on 127.0.0.1 with a port the kernel picks, one public native client (PKCE S256
// required, no secret, the app's loopback redirect), the built-in development login and consent
// pages (any login and password are accepted), RS256 ID tokens signed with a key made at start,
// and refresh tokens for offline_access. Prints "READY <issuer>" on stdout once it listens; stops
// on SIGTERM. Nothing here is fit for production: it is a test peer.
import { createServer } from 'node:http';
import { generateKeyPairSync, randomBytes } from 'node:crypto';

import Provider from 'oidc-provider';

export const CLIENT_ID = '877afb01-0000-0000-0000-000000000000';
export const REDIRECT_URI = 'http://localhost:5000/auth/callback';

function signingKey () {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

  return { ...privateKey.export({ format: 'jwk' }), kid: randomBytes(8).toString('hex'), alg: 'RS256', use: 'sig' };
}

function configuration () {
  return {
    clients: [{
      client_id: CLIENT_ID,
      application_type: 'native',
      token_endpoint_auth_method: 'none',
      redirect_uris: [REDIRECT_URI],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      id_token_signed_response_alg: 'RS256',
    }],
    jwks: { keys: [signingKey()] },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    pkce: { methods: ['S256'], required: () => true },
    features: { devInteractions: { enabled: true } },
    // Any login is an account; its subject is the login typed in the development login page.
    findAccount: (ctx, id) => ({
      accountId: id,
      claims: () => ({ sub: id, name: `Test ${id}`, email: `${id}@example.test`, email_verified: true }),
    }),
    claims: {
      openid: ['sub'],
      profile: ['name'],
      email: ['email', 'email_verified'],
    },
    scopes: ['openid', 'offline_access', 'profile', 'email'],
    // offline_access, once consented, always yields a refresh token for this client.
    issueRefreshToken: (ctx, client, code) =>
      client.grantTypeAllowed('refresh_token') && code.scopes.has('offline_access'),
  };
}

const server = createServer();

server.listen(0, '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, configuration());

  provider.on('server_error', (ctx, error) => console.error('provider error:', error));
  server.on('request', provider.callback());
  console.log(`READY ${issuer}`);
});

// The provider keeps everything in memory: there is nothing to save on the way out.
for (const signal of ['SIGTERM', 'SIGINT'])
  process.on(signal, () => process.exit(0));
