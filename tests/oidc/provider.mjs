// The OpenID provider the SSO tests sign in through: panva's oidc-provider (OpenID Certified),
// with its development sign-in page ("any login", the password is not checked) and test people.
//
//   node provider.mjs PORT REDIRECT_URI [REDIRECT_URI...]
//
// Prints one line "READY <issuer>" when it listens. Clients:
//   trainer      the app under test (client_secret_basic, PKCE)
//   other-app    a second application: its ID tokens carry the wrong audience for "trainer"
//   short-lived  ID tokens that expire one second after they are issued
import Provider from 'oidc-provider';

const [port, ...redirectUris] = process.argv.slice(2);
const issuer = `http://127.0.0.1:${port}`;

const PEOPLE = {
  alice: { email: 'alice@corp.example', email_verified: true, name: 'Alice Wang', locale: 'en-US', groups: ['sales-east'] },
  bob: { email: 'bob@corp.example', email_verified: true, name: '王博', locale: 'zh-CN', groups: ['sales-managers', 'sales-east'] },
  carol: { email: 'carol@corp.example', email_verified: true, name: 'Carol Admin', locale: 'en', groups: ['trainer-admins'] },
  dave: { email: 'dave@corp.example', email_verified: false, name: 'Dave Unverified', locale: 'en', groups: ['sales-east'] },
  erin: { email: 'erin@corp.example', email_verified: true, name: 'Erin Left', locale: 'en', groups: ['sales-east', 'disabled'] },
  root: { email: 'root@corp.example', email_verified: true, name: 'Break Glass', locale: 'en', groups: ['trainer-admins'] },
};

const client = (clientId) => ({
  client_id: clientId,
  client_secret: `${clientId}-secret`,
  redirect_uris: redirectUris,
  grant_types: ['authorization_code'],
  response_types: ['code'],
  token_endpoint_auth_method: 'client_secret_basic',
});

const configuration = {
  clients: [client('trainer'), client('other-app'), client('short-lived')],
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'locale'],
    groups: ['groups'],
  },
  scopes: ['openid', 'email', 'profile', 'groups'],
  cookies: { keys: ['test-only-cookie-key'] },
  pkce: { required: () => true },
  features: { devInteractions: { enabled: true } },
  ttl: {
    AccessToken: 600,
    AuthorizationCode: 60,
    Grant: 600,
    Interaction: 600,
    Session: 600,
    IdToken: (ctx, token, theClient) => (theClient.clientId === 'short-lived' ? 1 : 600),
  },
  // First-party provider: no consent screen, every requested scope is granted (as Keycloak does).
  async loadExistingGrant(ctx) {
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope(ctx.oidc.params.scope);
    await grant.save();
    return grant;
  },
  async findAccount(ctx, id) {
    const person = PEOPLE[id];
    if (!person) return undefined;
    return { accountId: id, async claims() { return { sub: id, ...person }; } };
  },
};

const provider = new Provider(issuer, configuration);
provider.listen(Number(port), '127.0.0.1', () => {
  console.log(`READY ${issuer}`);
});
