// The organization and its limits: the limits the emulator enforces, as configured, which are also the
// defaults it reports (an emulated org has no limit changes of its own).
import { notFound } from '../errors.ts';
import type { EmulatorConfig } from '../config.ts';
import type { RouteSpec } from '../router.ts';

function limitsOf(config: EmulatorConfig, namespace: string) {
  const limits = config.limits[namespace];
  if (!limits) throw notFound(`Limit namespace ${namespace} was not found.`);
  return {
    status: 200,
    body: { entities: Object.entries(limits).map(([key, value]) => ({ key, value, namespace })) },
  };
}

export const organizationRoutes: RouteSpec[] = [
  {
    method: 'GET',
    pattern: '/api/v2/organizations/limits/namespaces',
    permission: 'organization:limits:view',
    body: false,
    handler({ config }) {
      return { status: 200, body: { entities: Object.keys(config.limits).map((name) => ({ name })) } };
    },
  },
  {
    method: 'GET',
    pattern: '/api/v2/organizations/limits/namespaces/{namespace}',
    permission: 'organization:limits:view',
    body: false,
    handler: ({ params, config }) => limitsOf(config, params.namespace),
  },
  {
    method: 'GET',
    pattern: '/api/v2/organizations/limits/namespaces/{namespace}/defaults',
    permission: 'organization:limits:view',
    body: false,
    handler: ({ params, config }) => limitsOf(config, params.namespace),
  },
  {
    method: 'GET',
    pattern: '/api/v2/organizations/me',
    permission: null,
    body: false,
    handler({ config }) {
      const { id, name } = config.organization;
      return {
        status: 200,
        body: {
          id,
          name,
          defaultLanguage: 'en-us',
          domain: name.toLowerCase().replace(/[^a-z0-9]+/g, '-'),
          version: 1,
          state: 'active',
          selfUri: `/api/v2/organizations/${id}`,
        },
      };
    },
  },
];
