// Web messaging deployments, read side: the deployments the config names, shaped like the SDK's WebDeployment.
import { notFound } from '../errors.ts';
import type { WebDeploymentSpec } from '../config.ts';
import type { RouteSpec } from '../router.ts';

const PERMISSION = 'webdeployments:deployment:view';

function view(d: WebDeploymentSpec) {
  return {
    id: d.id,
    name: d.name ?? d.id,
    allowAllDomains: true,
    status: 'Active',
    flow: { id: d.flowId },
    // Every emulated deployment runs the first version of a configuration of its own.
    configuration: { id: `${d.id}-configuration`, name: d.name ?? d.id, version: '1' },
    selfUri: `/api/v2/webdeployments/deployments/${d.id}`,
  };
}

export const webDeploymentRoutes: RouteSpec[] = [
  {
    method: 'GET',
    pattern: '/api/v2/webdeployments/deployments',
    permission: PERMISSION,
    body: false,
    handler({ config }) {
      const entities = config.webMessaging.deployments.map(view);
      return { status: 200, body: { entities, total: entities.length } };
    },
  },
  {
    method: 'GET',
    pattern: '/api/v2/webdeployments/deployments/{deploymentId}',
    permission: PERMISSION,
    body: false,
    handler({ params, config }) {
      const d = config.webMessaging.deployments.find((x) => x.id === params.deploymentId);
      if (!d) throw notFound(`Web deployment ${params.deploymentId} was not found.`);
      return { status: 200, body: view(d) };
    },
  },
];
