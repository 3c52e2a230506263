// The caller's own token: what it is (TokenInfo), whether it still works (HEAD), and revoking it (DELETE),
// after which it answers 401 like any unknown token.
import type { RouteSpec } from '../router.ts';

export const tokenRoutes: RouteSpec[] = [
  {
    method: 'GET',
    pattern: '/api/v2/tokens/me',
    permission: null,
    body: false,
    handler({ client, config }) {
      const organization = { id: config.organization.id, name: config.organization.name };
      return {
        status: 200,
        body: {
          organization,
          homeOrganization: organization,
          authorizedScope: [],
          OAuthClient: {
            id: client.id,
            name: client.name ?? client.id,
            authorizedGrantType: 'CLIENT-CREDENTIALS',
            organization,
          },
        },
      };
    },
  },
  {
    method: 'HEAD',
    pattern: '/api/v2/tokens/me',
    permission: null,
    body: false,
    handler: () => ({ status: 200 }),
  },
  {
    method: 'DELETE',
    pattern: '/api/v2/tokens/me',
    permission: null,
    body: false,
    handler({ token, tokens }) {
      tokens.revoke(token);
      return { status: 204 };
    },
  },
];
