// Route table: "{name}" segments are parameters; literal segments win over parameters.
import type { EmulatorConfig, OAuthClient } from './config.ts';
import type { OrgState } from './state.ts';

export interface RequestContext {
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  client: OAuthClient;
  now: number;
  state: OrgState;
  config: EmulatorConfig;
  baseUrl: string;
}

export interface Reply {
  status: number;
  body?: unknown;
  /** The body already serialized (a cached view), sent as is. */
  json?: string;
}

export interface RouteSpec {
  method: string;
  pattern: string;
  /** Permission the token's client needs; null for routes any valid token may call. */
  permission: string | null;
  /** Whether the route reads a JSON body. */
  body: boolean;
  handler: (ctx: RequestContext) => Reply;
}

export interface Route extends RouteSpec {
  /** "METHOD /pattern": the name used in stats, latency, faults and endpoint limits. */
  key: string;
  segments: string[];
  literals: number;
}

export type Match = { route: Route; params: Record<string, string> } | { allowed: string[] } | null;

export class Router {
  private byLength = new Map<number, Route[]>();
  readonly routes: Route[] = [];

  add(spec: RouteSpec): void {
    const segments = spec.pattern.split('/');
    const route: Route = {
      ...spec,
      key: `${spec.method} ${spec.pattern}`,
      segments,
      literals: segments.filter((s) => !s.startsWith('{')).length,
    };
    this.routes.push(route);
    const list = this.byLength.get(segments.length) ?? [];
    list.push(route);
    // Most literal segments first, so /conversations/calls is tried before /conversations/{id}.
    list.sort((a, b) => b.literals - a.literals);
    this.byLength.set(segments.length, list);
  }

  match(method: string, path: string): Match {
    const parts = path.split('/');
    const candidates = this.byLength.get(parts.length);
    if (!candidates) return null;
    let allowed: string[] | null = null;
    for (const route of candidates) {
      const params = matchSegments(route.segments, parts);
      if (!params) continue;
      if (route.method === method) return { route, params };
      (allowed ??= []).push(route.method);
    }
    return allowed ? { allowed } : null;
  }
}

function matchSegments(segments: string[], parts: string[]): Record<string, string> | null {
  let params: Record<string, string> | null = null;
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i];
    const part = parts[i];
    if (seg.charCodeAt(0) === 123 /* { */) {
      if (part === '') return null;
      let value: string;
      try {
        value = decodeURIComponent(part);
      } catch {
        return null;
      }
      (params ??= {})[seg.slice(1, -1)] = value;
    } else if (seg !== part) {
      return null;
    }
  }
  return params ?? {};
}
