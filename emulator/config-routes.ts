// Config keys that name a route must name one the emulator serves, and one where the setting can act:
// a misspelt route in latency, faults or endpointLimits would silently do nothing.
import type { EmulatorConfig } from './config.ts';
import { ConfigError } from './config-schema.ts';
import { nearest } from './suggest.ts';

/** Parameter names do not matter for a hint: "{id}" and "{conversationId}" are the same segment. */
const shape = (route: string) => route.replace(/\{[^}]*\}/g, '{}');

function hint(route: string, known: string[]): string {
  const byShape = new Map(known.map((k) => [shape(k), k]));
  const n = nearest(shape(route), byShape.keys());
  return n === undefined ? '' : ` (did you mean "${byShape.get(n)}"?)`;
}

/** Throws ConfigError naming the first key that names an unknown route or one the setting cannot act on. */
export function checkRouteNames(config: EmulatorConfig, tokenRoute: string, apiRoutes: string[]): void {
  const known = [tokenRoute, ...apiRoutes];
  const named: [string, string][] = [
    ...Object.keys(config.latency.routes).map((r): [string, string] => ['latency.routes', r]),
    ...Object.keys(config.faults.routes).map((r): [string, string] => ['faults.routes', r]),
    ...config.endpointLimits.map((e, i): [string, string] => [`endpointLimits[${i}].route`, e.route]),
  ];
  for (const [where, route] of named) {
    if (!known.includes(route))
      throw new ConfigError(
        `${where}: unknown route "${route}"${hint(route, known)} (use "METHOD /api/v2/..." as listed in emulator/README.md)`,
      );
  }
  // No bearer token reaches the token route: there is none to revoke, and its requests count per client.
  if (config.faults.routes[tokenRoute]?.revokeToken)
    throw new ConfigError(`faults.routes["${tokenRoute}"].revokeToken must be 0: no token is sent there`);
  const i = config.endpointLimits.findIndex((e) => e.route === tokenRoute);
  if (i >= 0)
    throw new ConfigError(
      `endpointLimits[${i}].route cannot be "${tokenRoute}": set limits.oauth["token.creation.rate.per.minute"]`,
    );
}
