// The emulator's HTTP server: login and API paths on one port, checked in the platform's order
// (route, bearer token, permission, rate limits), then faults and latency, then the body, then the route.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { missingPermission, OAuthError, TokenStore, type Token } from './auth.ts';
import { ClientGone, parseJson, readBody, tooLarge } from './body.ts';
import {
  ConfigError,
  defaultConfig,
  mergeConfig,
  type ConfigOverrides,
  type EmulatorConfig,
  type EndpointLimit,
} from './config.ts';
import { ApiError, errorBody, rateLimited } from './errors.ts';
import { FaultInjector, type FaultPlan } from './faults.ts';
import { admit, RateLimiter, retryAfterSeconds, type LimitCheck } from './limits.ts';
import { checkRouteNames } from './config-routes.ts';
import { Router, type Reply, type RequestContext, type Route } from './router.ts';
import { analyticsQueryRoutes } from './routes/analytics-queries.ts';
import { analyticsRoutes } from './routes/analytics.ts';
import { conversationMediaRoutes } from './routes/conversation-media.ts';
import { conversationRoutes } from './routes/conversations.ts';
import { lookupRoutes } from './routes/lookups.ts';
import { notificationRoutes } from './routes/notifications.ts';
import { organizationRoutes } from './routes/organizations.ts';
import { textbotRoutes } from './routes/textbots.ts';
import { tokenRoutes } from './routes/tokens.ts';
import { webDeploymentRoutes } from './routes/webdeployments.ts';
import { OrgState } from './state.ts';
import { Stats } from './stats.ts';
import { startSockets } from './ws/hub.ts';

export interface Emulator {
  /** Base URL for both the login and the API paths, e.g. http://127.0.0.1:41234 */
  url: string;
  host: string;
  port: number;
  config: EmulatorConfig;
  /** "METHOD /pattern" of every route served, the token route first: the names stats count under. */
  routes: string[];
  /** The same object GET /__emulator/stats returns. */
  stats(): Record<string, unknown>;
  /**
   * Clears conversations, sessions, jobs, channels, guest sessions, limiter windows, stats and fault streams,
   * closing every WebSocket; `tokens` too.
   */
  reset(opts?: { tokens?: boolean }): void;
  close(): Promise<void>;
}

const TOKEN_ROUTE = 'POST /oauth/token';
const GUEST_SESSIONS = '/__emulator/webmessaging/sessions';
const EMPTY_QUERY = new URLSearchParams();

function limiter(config: EmulatorConfig, namespace: string, key: string): RateLimiter {
  return new RateLimiter(key, config.limits[namespace][key], 60_000 / config.timeScale);
}

/** Per-endpoint limits the platform applies by itself; endpointLimits adds more. */
const BUILT_IN_ENDPOINT_LIMITS: EndpointLimit[] = [
  {
    route: 'POST /api/v2/analytics/conversations/details/jobs',
    namespace: 'analytics',
    key: 'conversation.details.job.rate.per.minute',
  },
];

/** Starts an emulator; `overrides` merge over the repository defaults (port 0 picks a free port). */
export async function startEmulator(overrides: ConfigOverrides | EmulatorConfig = {}): Promise<Emulator> {
  const config = mergeConfig(defaultConfig(), overrides as ConfigOverrides);
  const router = new Router();
  for (const spec of [
    ...textbotRoutes,
    ...conversationRoutes,
    ...conversationMediaRoutes,
    ...lookupRoutes,
    ...analyticsRoutes,
    ...analyticsQueryRoutes,
    ...notificationRoutes,
    ...organizationRoutes,
    ...webDeploymentRoutes,
    ...tokenRoutes,
  ]) {
    router.add(spec);
  }
  checkRouteNames(
    config,
    TOKEN_ROUTE,
    router.routes.map((r) => r.key),
  );
  const tokens = new TokenStore(config);
  const state = new OrgState(config);
  const stats = new Stats();
  const faults = new FaultInjector(config);
  const maxBytes = config.limits['platform.api']['request.bytes.max'];
  const perToken = [
    limiter(config, 'platform.api', 'token.rate.per.minute'),
    limiter(config, 'platform.api', 'client.credentials.token.rate.per.minute'),
  ];
  const perClient = limiter(config, 'platform.api', 'org.app.user.rate.per.minute');
  const tokenCreation = limiter(config, 'oauth', 'token.creation.rate.per.minute');
  const perEndpoint = new Map<string, RateLimiter[]>();
  for (const e of [...BUILT_IN_ENDPOINT_LIMITS, ...config.endpointLimits]) {
    const list = perEndpoint.get(e.route) ?? [];
    list.push(limiter(config, e.namespace, e.key));
    perEndpoint.set(e.route, list);
  }
  const sockets = startSockets(config, state);
  const allLimiters = [
    ...perToken,
    perClient,
    tokenCreation,
    ...[...perEndpoint.values()].flat(),
    ...sockets.limiters,
  ];
  let baseUrl = '';

  function send(
    res: ServerResponse,
    routeKey: string,
    contextId: string,
    status: number,
    body: unknown,
    headers?: Record<string, string>,
  ): void {
    sendJson(res, routeKey, contextId, status, body === undefined ? '' : JSON.stringify(body), headers);
  }

  function sendJson(
    res: ServerResponse,
    routeKey: string,
    contextId: string,
    status: number,
    text: string,
    headers?: Record<string, string>,
  ): void {
    stats.count(routeKey, status);
    if (res.destroyed || res.headersSent) return;
    const h: Record<string, string | number> = { 'inin-correlation-id': contextId };
    // A 204 has no body and, for strict clients, no Content-Length either.
    if (status !== 204) h['content-length'] = Buffer.byteLength(text);
    if (text) h['content-type'] = 'application/json';
    if (headers) Object.assign(h, headers);
    res.writeHead(status, h);
    res.end(text);
  }

  function sendError(res: ServerResponse, routeKey: string, contextId: string, err: unknown): void {
    // Status 0 in stats: no answer was sent (the client left, or a reset fault).
    if (err instanceof ClientGone) return stats.count(routeKey, 0);
    if (err instanceof OAuthError) return send(res, routeKey, contextId, err.status, err.body());
    if (err instanceof ApiError) {
      const body = errorBody(err.status, err.code, err.message, contextId, err.details, err.extra);
      return send(res, routeKey, contextId, err.status, body, err.headers);
    }
    console.error(`emulator: internal error on ${routeKey}: ${(err as Error)?.stack ?? err}`);
    send(
      res,
      routeKey,
      contextId,
      500,
      errorBody(500, 'internal.server.error', 'The server encountered an internal error.', contextId),
    );
  }

  /** Runs the admission checks; throws the 429 with an honest Retry-After when any limiter is full. */
  function throttle(checks: LimitCheck[], caller: string, now: number, connection: object): void {
    stats.arrived(caller, now, connection);
    const wait = admit(checks, now);
    if (wait === 0) return;
    const seconds = retryAfterSeconds(wait);
    stats.toldToWait(caller, now + seconds * 1000, connection);
    throw rateLimited(seconds);
  }

  /** Applies a fault plan: false when the request was answered (or dropped) by the fault. */
  async function applyFaults(
    plan: FaultPlan | null,
    res: ServerResponse,
    routeKey: string,
    contextId: string,
    token?: Token,
  ): Promise<boolean> {
    if (!plan) return true;
    if (plan.revokeToken && token) tokens.revoke(token);
    if (plan.delayMs > 0) await new Promise((r) => setTimeout(r, plan.delayMs));
    if (plan.fail === 'reset') {
      stats.count(routeKey, 0);
      res.socket?.resetAndDestroy();
      return false;
    }
    if (plan.fail !== null) {
      const [code, message] =
        plan.fail === 502
          ? ['bad.gateway', 'The upstream service returned an invalid response.']
          : plan.fail === 503
            ? ['service.unavailable', 'Service is currently unavailable.']
            : ['request.timeout', 'The upstream service did not respond in time.'];
      send(res, routeKey, contextId, plan.fail, errorBody(plan.fail, code, message, contextId));
      return false;
    }
    return true;
  }

  async function handleToken(req: IncomingMessage, res: ServerResponse, contextId: string): Promise<void> {
    if (req.method !== 'POST') {
      throw new ApiError(
        405,
        'method.not.allowed',
        `HTTP ${req.method} is not supported on /oauth/token.`,
        [],
        {},
        { allow: 'POST' },
      );
    }
    const raw = await readBody(req, maxBytes);
    const client = tokens.authenticate(req, raw);
    const now = Date.now();
    throttle([{ limiter: tokenCreation, key: client.id }], `client:${client.id}`, now, req.socket);
    if (!(await applyFaults(faults.decide(TOKEN_ROUTE), res, TOKEN_ROUTE, contextId))) return;
    send(res, TOKEN_ROUTE, contextId, 200, tokens.issue(client, Date.now()));
  }

  /**
   * Auth, permission and limits run synchronously at arrival. A route without a body and without faults or
   * latency is answered in the same tick (the hot path); anything that must wait returns a promise.
   */
  function handleApi(
    req: IncomingMessage,
    res: ServerResponse,
    route: Route,
    params: Record<string, string>,
    query: URLSearchParams,
    contextId: string,
  ): Promise<void> | undefined {
    const now = Date.now();
    const token = tokens.check(req.headers.authorization, now);
    if (route.permission && !token.permissions.has(route.permission) && !token.permissions.has('*')) {
      throw missingPermission(route.permission);
    }
    const checks: LimitCheck[] = [
      { limiter: perToken[0], key: token.value },
      { limiter: perToken[1], key: token.value },
      { limiter: perClient, key: token.client.id },
    ];
    const endpoint = perEndpoint.get(route.key);
    if (endpoint) for (const l of endpoint) checks.push({ limiter: l, key: token.client.id });
    throttle(checks, token.value, now, req.socket);
    const plan = faults.decide(route.key);
    if (plan === null && !route.body) {
      if (Number(req.headers['content-length']) > maxBytes) throw tooLarge(maxBytes);
      return respond(
        res,
        route,
        { params, query, body: undefined, client: token.client, token, tokens, now, state, config, baseUrl },
        contextId,
      );
    }
    return (async () => {
      if (!(await applyFaults(plan, res, route.key, contextId, token))) return;
      let body: unknown;
      if (route.body) body = parseJson(req, await readBody(req, maxBytes));
      else if (Number(req.headers['content-length']) > maxBytes) throw tooLarge(maxBytes);
      const ctx = {
        params,
        query,
        body,
        client: token.client,
        token,
        tokens,
        now: Date.now(),
        state,
        config,
        baseUrl,
      };
      respond(res, route, ctx, contextId);
    })();
  }

  function respond(res: ServerResponse, route: Route, ctx: RequestContext, contextId: string): undefined {
    const reply: Reply = route.handler(ctx);
    if (reply.json !== undefined) sendJson(res, route.key, contextId, reply.status, reply.json);
    else send(res, route.key, contextId, reply.status, reply.body);
    return undefined;
  }

  function handleAdmin(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    query: URLSearchParams,
    contextId: string,
  ): void {
    const revokeClient = /^\/__emulator\/clients\/([^/]+)\/revoke$/.exec(path);
    const want = path === '/__emulator/reset' || revokeClient ? 'POST' : 'GET';
    const known = ['/__emulator/health', '/__emulator/stats', '/__emulator/reset', GUEST_SESSIONS];
    if (!revokeClient && !known.includes(path)) {
      throw new ApiError(404, 'not.found', `No emulator resource at ${path}.`);
    }
    if (req.method !== want)
      throw new ApiError(405, 'method.not.allowed', `Use ${want} ${path}.`, [], {}, { allow: want });
    const reply = (status: number, body: unknown) => {
      const text = JSON.stringify(body);
      res.writeHead(status, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(text),
        'inin-correlation-id': contextId,
      });
      res.end(text);
    };
    if (path === '/__emulator/health') return reply(200, { status: 'ok' });
    if (path === '/__emulator/stats') return reply(200, snapshot());
    if (path === GUEST_SESSIONS) {
      const session = sockets.guestSession(query.get('deploymentId') ?? '', query.get('token') ?? '');
      if (!session) throw new ApiError(404, 'not.found', 'No guest session of that deployment and token.');
      return reply(200, session);
    }
    if (revokeClient) {
      const id = decodeURIComponent(revokeClient[1]);
      const revoked = tokens.revokeClient(id, query.get('disable') === 'true');
      if (revoked < 0) throw new ApiError(404, 'not.found', `No OAuth client ${id}.`);
      return reply(200, { client: id, revoked, disabled: query.get('disable') === 'true' });
    }
    emulator.reset({ tokens: query.get('tokens') === 'true' });
    reply(200, { status: 'reset' });
  }

  function snapshot(): Record<string, unknown> {
    return {
      requests: { total: stats.total, byRoute: stats.routes() },
      limiters: Object.fromEntries(
        allLimiters.map((l) => [l.name, { limit: l.limit, admitted: l.admitted, throttled: l.throttled }]),
      ),
      earlyRetries: stats.earlyRetries,
      requestsWhileWaiting: stats.requestsWhileWaiting,
      faults: { ...faults.counts },
      tokens: { issued: tokens.issued, revoked: tokens.revoked, known: tokens.active },
      state: {
        conversations: state.conversations.size,
        botSessions: state.sessions.size,
        analyticsJobs: state.jobs.size,
        channels: state.channels.size,
      },
      ...sockets.stats(),
      timeScale: config.timeScale,
      seed: config.seed,
    };
  }

  function handle(req: IncomingMessage, res: ServerResponse): void {
    const contextId = randomUUID();
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const query = q < 0 ? EMPTY_QUERY : new URLSearchParams(url.slice(q + 1));
    let routeKey = 'unmatched';
    try {
      if (path.startsWith('/__emulator/')) return handleAdmin(req, res, path, query, contextId);
      if (path === '/oauth/token') {
        handleToken(req, res, contextId).catch((err) => sendError(res, TOKEN_ROUTE, contextId, err));
        return;
      }
      const method = req.method ?? 'GET';
      const match = router.match(method, path);
      if (!match) throw new ApiError(404, 'not.found', `No resource found at ${method} ${path}.`);
      if ('allowed' in match) {
        throw new ApiError(
          405,
          'method.not.allowed',
          `HTTP ${method} is not supported on ${path}.`,
          [],
          {},
          { allow: match.allowed.join(', ') },
        );
      }
      routeKey = match.route.key;
      const key = routeKey;
      handleApi(req, res, match.route, match.params, query, contextId)?.catch((err) =>
        sendError(res, key, contextId, err),
      );
    } catch (err) {
      sendError(res, routeKey, contextId, err);
    }
  }

  const server = createServer({ keepAliveTimeout: 10_000 }, handle);
  server.on('upgrade', sockets.upgrade);
  // Malformed HTTP never reaches a handler: answer it with the platform's 400 (431 for huge headers) and close.
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    if (!socket.writable) return socket.destroy();
    const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
    const contextId = randomUUID();
    const text = JSON.stringify(
      errorBody(
        status,
        'bad.request',
        'The request could not be understood by the server due to malformed syntax.',
        contextId,
      ),
    );
    stats.count('unmatched', status);
    socket.end(
      `HTTP/1.1 ${status} ${status === 431 ? 'Request Header Fields Too Large' : 'Bad Request'}\r\n` +
        `content-type: application/json\r\ncontent-length: ${Buffer.byteLength(text)}\r\n` +
        `inin-correlation-id: ${contextId}\r\nconnection: close\r\n\r\n${text}`,
    );
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  baseUrl = `http://${host}:${port}`;

  const sweeper = setInterval(() => {
    const now = Date.now();
    for (const l of allLimiters) l.sweep(now);
    tokens.sweep(now);
    stats.sweep(now);
  }, 10_000);
  sweeper.unref();

  const emulator: Emulator = {
    url: baseUrl,
    host: config.host,
    port,
    config,
    routes: [TOKEN_ROUTE, ...router.routes.map((r) => r.key)],
    stats: snapshot,
    reset(opts = {}) {
      state.reset();
      stats.reset();
      faults.reset();
      for (const l of allLimiters) l.reset();
      sockets.reset();
      if (opts.tokens) tokens.clear();
    },
    close() {
      clearInterval(sweeper);
      // Upgraded sockets are no longer the HTTP server's: they are closed here or close() never ends.
      sockets.close();
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
  return emulator;
}
