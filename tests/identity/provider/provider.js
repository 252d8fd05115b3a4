// An OpenID Connect provider for the test suite (node-oidc-provider), on loopback only.
// Usage: node provider.js <port>. Prints "ready <issuer>" once listening. Never shipped.
// Accounts and what their sign-in asserts are fixed below; the login form is the provider's own page.
import http from 'node:http';
import { generateKeyPair, exportJWK } from 'jose';
import Provider from 'oidc-provider';

const port = Number(process.argv[2]);
const issuer = `http://127.0.0.1:${port}`;

// password, claims, and the authentication methods the ID token reports (amr/acr)
const ACCOUNTS = {
  'zhang.wei': { password: 'idp-pass-1', amr: ['pwd', 'otp'], acr: 'urn:xiachen:mfa',
    claims: { name: '张伟', email: 'zhang.wei@example.gov.cn', email_verified: true, unit_code: '420102001001', groups: ['community-manager'] } },
  'li.na': { password: 'idp-pass-2', amr: ['pwd'], acr: 'urn:xiachen:pwd',
    claims: { name: '李娜', email: 'li.na@example.gov.cn', email_verified: true } },
  'wang.fang': { password: 'idp-pass-3', amr: ['pwd'], acr: 'urn:xiachen:pwd',
    claims: { name: '王芳', email: 'wang.fang@example.gov.cn', email_verified: true } },
};

const { privateKey } = await generateKeyPair('RS256', { extractable: true });
const jwk = { ...(await exportJWK(privateKey)), kid: 'test-key', use: 'sig', alg: 'RS256' };

const provider = new Provider(issuer, {
  clients: [{
    client_id: 'xiachen',
    client_secret: 'xiachen-test-secret',
    application_type: 'native', // loopback redirect URIs match on any port (RFC 8252): live servers vary
    redirect_uris: ['http://127.0.0.1/identity/oidc/callback/', 'http://localhost/identity/oidc/callback/'],
    token_endpoint_auth_method: 'client_secret_post',
  }],
  jwks: { keys: [jwk] },
  pkce: { required: () => true },
  acrValues: ['urn:xiachen:pwd', 'urn:xiachen:mfa'],
  claims: { amr: null, openid: ['sub'], profile: ['name', 'preferred_username', 'unit_code', 'groups'], email: ['email', 'email_verified'] },
  features: { devInteractions: { enabled: false } },
  cookies: { keys: ['test-cookie-key'] },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(ctx, id) {
    const account = ACCOUNTS[id];
    if (!account) return undefined;
    return { accountId: id, claims: () => ({ sub: id, preferred_username: id, ...account.claims }) };
  },
  ttl: { Interaction: 600, Grant: 600, Session: 600, AccessToken: 600, AuthorizationCode: 60, IdToken: 600 },
});

const page = (uid, error) => `<!doctype html><html lang="zh"><head><meta charset="utf-8"><title>统一身份认证平台</title></head>
<body><h1>统一身份认证平台</h1>${error ? `<p id="error">${error}</p>` : ''}
<form method="post" action="/interaction/${uid}/login">
<label>账号 <input name="login" id="login"></label>
<label>密码 <input name="password" id="password" type="password"></label>
<button type="submit" id="submit">登录</button></form></body></html>`;

async function readForm(req) {
  let body = '';
  for await (const chunk of req) body += chunk;
  return Object.fromEntries(new URLSearchParams(body));
}

async function interaction(req, res) {
  const details = await provider.interactionDetails(req, res);
  const { uid, prompt } = details;
  if (prompt.name === 'consent') {
    // Native clients are always asked for consent; a first-party platform gives it without a screen.
    const grant = details.grantId ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: details.session.accountId, clientId: details.params.client_id });
    grant.addOIDCScope('openid profile email');
    await provider.interactionFinished(req, res, { consent: { grantId: await grant.save() } },
      { mergeWithLastSubmission: true });
    return;
  }
  if (req.method === 'GET') {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page(uid));
    return;
  }
  const { login, password } = await readForm(req);
  const account = ACCOUNTS[login];
  if (!account || account.password !== password) {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page(uid, '账号或密码错误'));
    return;
  }
  await provider.interactionFinished(req, res, { login: { accountId: login, amr: account.amr, acr: account.acr } },
    { mergeWithLastSubmission: false });
}

const callback = provider.callback();
http.createServer((req, res) => {
  if (req.url.startsWith('/interaction/')) {
    interaction(req, res).catch((error) => { res.writeHead(500).end(String(error)); });
  } else {
    callback(req, res);
  }
}).listen(port, '127.0.0.1', () => console.log(`ready ${issuer}`));
