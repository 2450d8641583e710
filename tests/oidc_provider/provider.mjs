// A real OpenID Connect provider on loopback (the certified `oidc-provider` package), for the
// tracker's sign-in tests and the demo (scripts/demo-identity-provider).
//
//   node provider.mjs CONFIG.json
//
// CONFIG: {"port": 0, "clients": [{"client_id", "client_secret", "redirect_uris": [...]}],
//          "users": {"login": {"password", "email", "email_verified" (default true; null: left
//          out), "name", "groups": [...], "roles": [...],
//                              "amr": [...], "acr": "..."}},
//          "test_controls": false}
// It prints one line of JSON, {"ready": true, "issuer": "http://127.0.0.1:PORT"}, once it
// listens. The sign-in page asks for a login and password from CONFIG.users; the ID token
// carries the user's email, name, groups, roles, and the amr and acr given for them.
//
// With "test_controls": true (tests only, never the demo), two more addresses:
//   POST /__test/next-id-token {"claims": {...}, "exp_offset": -600, "stranger_key": true}
//     the next token response's ID token gets these claims (an expired one, another
//     audience), re-signed with the provider's own key, or with a stranger's key under the
//     provider's key id (a forgery).
//   POST /__test/rotate-keys   the provider switches to a new signing key (new kid).
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { URLSearchParams } from 'node:url';

import * as jose from 'jose';
import Provider from 'oidc-provider';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const users = config.users || {};
const pending = [];

async function newKey() {
  const { privateKey } = await jose.generateKeyPair('RS256', { extractable: true });
  const jwk = await jose.exportJWK(privateKey);
  return { ...jwk, kid: randomUUID(), alg: 'RS256', use: 'sig' };
}

function escape(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(title, body) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family: sans-serif; max-width: 30em; margin: 2em auto"><main>${body}</main></body></html>`;
}

function makeProvider(issuer, key) {
  const provider = new Provider(issuer, {
    clients: config.clients.map((c) => ({
      token_endpoint_auth_method: 'client_secret_post',
      grant_types: ['authorization_code'],
      response_types: ['code'],
      ...c,
    })),
    jwks: { keys: [key] },
    pkce: { required: () => true },
    features: { devInteractions: { enabled: false } },
    conformIdTokenClaims: false,
    scopes: ['openid', 'email', 'profile', 'groups'],
    claims: {
      acr: null,
      amr: null,
      auth_time: null,
      sid: null,
      iss: null,
      openid: ['sub', 'acr', 'amr', 'auth_time'],
      email: ['email', 'email_verified'],
      profile: ['name'],
      groups: ['groups', 'roles'],
    },
    interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
    // A first-party client: no consent screen, every scope it asks for is granted.
    async loadExistingGrant(ctx) {
      const grantId =
        ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client.clientId,
        accountId: ctx.oidc.session.accountId,
      });
      grant.addOIDCScope('openid email profile groups');
      await grant.save();
      return grant;
    },
    async findAccount(ctx, id) {
      const user = users[id];
      if (!user) return undefined;
      return {
        accountId: id,
        async claims() {
          // email_verified: true unless the user says otherwise; null leaves it out (Entra ID).
          const claims = { sub: user.sub || id, email: user.email, name: user.name };
          if (user.email_verified !== null) claims.email_verified = user.email_verified ?? true;
          if (user.groups) claims.groups = user.groups;
          if (user.roles) claims.roles = user.roles;
          return claims;
        },
      };
    },
    ttl: { IdToken: 3600, AccessToken: 3600, AuthorizationCode: 60, Interaction: 600, Session: 600, Grant: 600 },
  });
  provider.proxy = false;
  // A test's override of the next ID token (test_controls only).
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.path !== '/token' || ctx.method !== 'POST' || !pending.length) return;
    const body = ctx.body;
    if (!body || typeof body !== 'object' || !body.id_token) return;
    const change = pending.shift();
    const claims = { ...jose.decodeJwt(body.id_token), ...(change.claims || {}) };
    if (change.exp_offset !== undefined) {
      const now = Math.floor(Date.now() / 1000);
      claims.exp = now + change.exp_offset;
      claims.iat = Math.min(claims.iat, claims.exp - 60);
    }
    const signingKey = change.stranger_key ? await newKey() : current.key;
    const privateKey = await jose.importJWK(signingKey, 'RS256');
    body.id_token = await new jose.SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: current.key.kid, typ: 'JWT' })
      .sign(privateKey);
  });
  return provider;
}

async function readForm(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

function send(res, status, html) {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(html);
}

function loginPage(uid, error = '') {
  return page(
    `Sign in: ${config.name || 'identity provider'}`,
    `<h1>${escape(config.name || 'Identity provider')}</h1>
${error ? `<p role="alert"><strong>${escape(error)}</strong></p>` : ''}
<form method="post" action="/interaction/${escape(uid)}/login">
  <p><label for="login">Username</label><br><input id="login" name="login" autocomplete="username"></p>
  <p><label for="password">Password</label><br><input id="password" name="password" type="password"></p>
  <p><button type="submit">Sign in</button></p>
</form>`,
  );
}

async function interaction(req, res, path) {
  const provider = current.provider;
  const match = path.match(/^\/interaction\/([^/]+)(\/login)?$/);
  if (!match) return send(res, 404, page('Not found', '<h1>Not found</h1>'));
  const [, uid, login] = match;
  try {
    const details = await provider.interactionDetails(req, res);
    if (details.uid !== uid) return send(res, 400, page('Expired', '<h1>Start again</h1>'));
    if (!login) {
      if (details.prompt.name === 'login') return send(res, 200, loginPage(uid));
      // Consent is granted by loadExistingGrant: nothing to ask.
      return provider.interactionFinished(req, res, { consent: {} }, { mergeWithLastSubmission: true });
    }
    const form = new URLSearchParams(await readForm(req));
    const name = form.get('login') || '';
    const user = users[name];
    if (!user || (user.password || 'provider-password') !== form.get('password')) {
      return send(res, 400, loginPage(uid, 'That username and password are not right.'));
    }
    const result = { login: { accountId: name, amr: user.amr || ['pwd'] } };
    if (user.acr) result.login.acr = user.acr;
    return provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
  } catch (error) {
    return send(res, 400, page('Error', `<h1>Start again</h1><p>${escape(error.message)}</p>`));
  }
}

async function controls(req, res, path) {
  const body = await readForm(req);
  if (path === '/__test/next-id-token') {
    pending.push(JSON.parse(body || '{}'));
  } else if (path === '/__test/rotate-keys') {
    const key = await newKey();
    current = { key, provider: makeProvider(current.issuer, key), issuer: current.issuer };
  } else {
    res.writeHead(404);
    return res.end();
  }
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ kid: current.key.kid }));
}

let current = null;
const server = http.createServer((req, res) => {
  const path = new URL(req.url, 'http://x').pathname;
  if (path.startsWith('/interaction/')) return interaction(req, res, path);
  if (config.test_controls && path.startsWith('/__test/') && req.method === 'POST') {
    return controls(req, res, path);
  }
  return current.provider.callback()(req, res);
});

server.listen(config.port || 0, '127.0.0.1', async () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const key = await newKey();
  current = { key, provider: makeProvider(issuer, key), issuer };
  process.stdout.write(`${JSON.stringify({ ready: true, issuer })}\n`);
});

for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.close(() => process.exit(0)));
