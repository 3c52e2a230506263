// GET /api/v2/organizations/limits/namespaces/{namespace}: the limits the emulator enforces, as configured.
import { notFound } from '../errors.ts';
import type { RouteSpec } from '../router.ts';

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
    handler({ params, config }) {
      const limits = config.limits[params.namespace];
      if (!limits) throw notFound(`Limit namespace ${params.namespace} was not found.`);
      return {
        status: 200,
        body: {
          namespace: params.namespace,
          entities: Object.entries(limits).map(([key, value]) => ({
            key,
            value,
            namespace: params.namespace,
          })),
        },
      };
    },
  },
];
