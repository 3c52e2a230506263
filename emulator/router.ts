// Route table: "{name}" segments are parameters; literal segments win over parameters, segment by segment, so
// a fixed path is never taken for an id: GET /conversations/callbacks is that path's 405, not conversation
// "callbacks".
import type { Token, TokenStore } from './auth.ts';
import type { EmulatorConfig, OAuthClient } from './config.ts';
import type { OrgState } from './state.ts';

export interface RequestContext {
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  client: OAuthClient;
  /** The bearer token the request came with, and the store that issued it (GET/DELETE /api/v2/tokens/me). */
  token: Token;
  tokens: TokenStore;
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
  /** Whether each segment is a parameter: the shape that decides precedence. */
  params: boolean[];
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
      params: segments.map((s) => s.startsWith('{')),
    };
    this.routes.push(route);
    const list = this.byLength.get(segments.length) ?? [];
    list.push(route);
    list.sort(precedence);
    this.byLength.set(segments.length, list);
  }

  match(method: string, path: string): Match {
    const parts = path.split('/');
    const candidates = this.byLength.get(parts.length);
    if (!candidates) return null;
    let winner: Route | undefined;
    const allowed: string[] = [];
    for (const route of candidates) {
      if (winner && route.pattern !== winner.pattern) continue;
      const params = matchSegments(route.segments, parts);
      if (!params) continue;
      winner = route;
      if (route.method === method) return { route, params };
      allowed.push(route.method);
    }
    return winner ? { allowed } : null;
  }
}

/** At the first segment where two shapes differ, the literal one comes first. */
function precedence(a: Route, b: Route): number {
  for (let i = 0; i < a.params.length; i++) if (a.params[i] !== b.params[i]) return a.params[i] ? 1 : -1;
  return 0;
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
