// One VU: its VM, the host leaves it may call, and the iteration semantics (samples, errors, interrupts).
// Thread-agnostic: the pool runs VUs on the main thread or inside worker threads.
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import type { MetricDef, MetricType, Contains, Sample } from '../metrics/types.ts';
import type { Fields, Level } from '../log.ts';
import { VM, InitStopped, ScriptError, optimiseSooner, type Bytes, type HostFunctions } from './vm.ts';
import { SameEnv } from './env.ts';
import {
  HttpClient,
  CookieJar,
  RequestTexts,
  encodeResponse,
  type RequestContext,
  type WireRequest,
} from '../modules/http-host.ts';
import type { Cancel } from '../modules/http1.ts';
import { TLSOptions } from '../modules/tls-options.ts';
import { HostOverrides } from '../modules/hosts.ts';
import { Resolver, parseDNS } from '../modules/dns.ts';
import { Hashers, b64decode, b64encode, hexEncode, randomBytes } from '../modules/crypto-host.ts';
import { WsDialer } from '../modules/ws-dial.ts';
import { WsSessions } from '../modules/ws-host.ts';
import {
  INSTANCE,
  type LoopRequest,
  type LoopResult,
  type RunRequest,
  type RunResult,
  type ScriptInput,
} from './types.ts';
import { BUILTIN_METRICS } from '../metrics/registry.ts';

/** An iteration's verdict from the VM (modules/core.ts); `tags` once exec.vu.tags holds anything. */
type RunVerdict = {
  ok: boolean;
  error?: string;
  interrupted?: boolean;
  aborted?: boolean;
  value?: unknown;
  tags?: Record<string, string>;
};

// host.next's answers (modules/core.ts: k6.loop): numbers, the cheapest values to hand to the VM
const NEXT_STOP = 0;
const NEXT_YIELD = 2;
const NEXT_RETURN = 3;
const NEXT_GO = 4;
// in place of an iteration's changing part: the VM asks host.changing when it needs it
const CHANGING_FROM_HOST = '\u0004';

/** What the VUs of one thread share: the HTTP client, opened files, SharedArrays, metric names. */
export class ThreadContext {
  readonly files = new Map<string, Buffer>();
  readonly shared = new Map<string, string[]>();
  readonly metrics = new Map<string, MetricDef>();
  http: HttpClient;
  readonly filename: string;
  readonly source: string;
  /** The opt-in system tags `systemTags` asks for: `ip` is a tag, `vu` and `iter` sample metadata (as in k6). */
  readonly optIn: { ip: boolean; vu: boolean; iter: boolean };
  /** the TLS client options, checked with the other options before any VU starts */
  private tls: TLSOptions | undefined;
  private dns: Resolver | undefined;
  /** settles when the init code of the VU started last on this thread has run */
  private lastInit: Promise<unknown> = Promise.resolve();
  private wsDialer: WsDialer | undefined;

  constructor(
    script: ScriptInput,
    readonly options: Record<string, unknown>,
    readonly callbacks: VUCallbacks,
  ) {
    this.filename = script.filename;
    this.source = script.source;
    // Built-in metrics are taken: redeclaring one with another type fails like any other metric.
    for (const def of BUILTIN_METRICS) this.metrics.set(def.name, def);
    const listed = Array.isArray(options.systemTags) ? (options.systemTags as string[]) : [];
    this.optIn = { ip: listed.includes('ip'), vu: listed.includes('vu'), iter: listed.includes('iter') };
    this.http = this.newClient();
  }

  /**
   * Runs `init` after the init code of the VUs before it on this thread. A thread builds the VMs it was
   * sent side by side; their init code, the user's part and often the longest, runs one VU at a time,
   * so that a stopped start-up skips what has not begun.
   */
  inTurn<T>(init: () => Promise<T>): Promise<T> {
    const run = this.lastInit.then(init);
    this.lastInit = run.catch(() => undefined);
    return run;
  }

  newClient(): HttpClient {
    const o = this.options;
    return new HttpClient({
      userAgent: o.userAgent as string | undefined,
      maxRedirects: o.maxRedirects as number | undefined,
      noConnectionReuse: o.noConnectionReuse as boolean | undefined,
      insecureSkipTLSVerify: o.insecureSkipTLSVerify as boolean | undefined,
      batch: o.batch as number | undefined,
      batchPerHost: o.batchPerHost as number | undefined,
      ipTag: this.optIn.ip,
      hosts: o.hosts as Record<string, unknown> | undefined,
      tls: (this.tls ??= new TLSOptions(o)),
      dns: (this.dns ??= new Resolver(parseDNS(o.dns))),
    });
  }

  /** k6/ws's handshakes, with the options k6/http's connections take. */
  get ws(): WsDialer {
    const o = this.options;
    this.wsDialer ??= new WsDialer({
      userAgent: o.userAgent as string | undefined,
      insecureSkipTLSVerify: o.insecureSkipTLSVerify as boolean | undefined,
      hosts: new HostOverrides(o.hosts),
      tls: (this.tls ??= new TLSOptions(o)),
      dns: (this.dns ??= new Resolver(parseDNS(o.dns))),
    });
    return this.wsDialer;
  }

  /** A metric definition made at init; an identical redeclaration is fine, another type is an error. */
  define(name: string, type: MetricType, contains: Contains): string {
    const old = this.metrics.get(name);
    if (old) {
      if (old.type !== type || old.contains !== contains) {
        return `metric '${name}' already exists but with type ${old.type}, instead of ${type}`;
      }
      return '';
    }
    const def = { name, type, contains };
    this.metrics.set(name, def);
    this.callbacks.define(def);
    return '';
  }

  open(file: string): Buffer {
    const dir = this.filename.startsWith('file:')
      ? path.dirname(fileURLToPath(this.filename))
      : process.cwd();
    const full = path.resolve(dir, file.startsWith('file://') ? fileURLToPath(file) : file);
    let buf = this.files.get(full);
    if (!buf) {
      if (statSync(full, { throwIfNoEntry: false })?.isDirectory())
        throw new Error(`open ${full}: is a directory`);
      try {
        buf = readFileSync(full);
      } catch {
        throw new Error(`open ${full}: no such file or directory`);
      }
      this.files.set(full, buf);
    }
    return buf;
  }

  close(): Promise<void> {
    return this.http.close();
  }

  private dropTags: Set<string> | null | undefined;
  private filtered = new WeakMap<Record<string, string>, Record<string, string>>();

  /** Hands samples on, without the system tags `systemTags` leaves out, with the VU's metadata if any. */
  emit(batch: Sample[], metadata: Record<string, string> | null = null): void {
    if (this.dropTags === undefined) {
      const keep = this.options.systemTags;
      this.dropTags = Array.isArray(keep) ? new Set(SYSTEM_TAGS.filter((t) => !keep.includes(t))) : null;
    }
    const drop = this.dropTags;
    if (drop && drop.size) {
      for (const s of batch) {
        let t = this.filtered.get(s.tags);
        if (!t) {
          t = {};
          for (const k of Object.keys(s.tags)) if (!drop.has(k)) t[k] = s.tags[k];
          this.filtered.set(s.tags, t);
        }
        s.tags = t;
      }
    }
    if (metadata) for (const s of batch) s.metadata ??= metadata;
    this.callbacks.samples(batch);
  }
}

// k6's system tags (metrics/system_tag.go); `systemTags` picks which of them samples carry.
const SYSTEM_TAGS = [
  'proto',
  'subproto',
  'status',
  'method',
  'url',
  'name',
  'group',
  'check',
  'error',
  'error_code',
  'tls_version',
  'scenario',
  'service',
  'expected_response',
  'iter',
  'vu',
  'ocsp_status',
  'ip',
];

export interface VUCallbacks {
  samples(batch: Sample[]): void;
  define(def: MetricDef): void;
  log(level: Level, msg: string, fields: Fields): void;
  abort(msg: string): void;
}

export function scriptInput(file: string, source?: string): ScriptInput {
  const abs = path.resolve(file);
  return { filename: pathToFileURL(abs).href, source: source ?? readFileSync(abs, 'utf8') };
}

/** An iteration's __ENV is init code's own, copied (modules/core.ts, k6.run). */
const SAME_ENV = 1;

export class VU {
  private vm!: VM;
  private abortCtl = new AbortController();
  private bytes = { sent: 0, received: 0 };
  private jar = new CookieJar();
  private texts = new RequestTexts();
  private hashers = new Hashers();
  /** k6/ws sessions; they end with the iteration */
  private ws = new WsSessions(
    () => this.thread.ws,
    () => this.ctx(),
    (json) => this.samples(json),
  );
  private sleepTimer: { timer: NodeJS.Timeout; resolve: (v: boolean) => void } | null = null;
  private running = false;
  private interrupting = false;
  private scenarioFields: Fields = {};
  private lastFixed = '';
  private lastTags: Record<string, string> = {};
  private iterationTags: Record<string, string> = {};
  private lastScenario: RunRequest['scenario'];
  /** which iteration envs hold what the VM's init code had (prepare) */
  private initEnv!: SameEnv;
  private constructor(
    readonly id: number,
    private thread: ThreadContext,
  ) {}

  /**
   * Creates the VM and runs the init code with __VU = id. Rejects with the init error's text, or with
   * InitStopped when `stopped`, asked between the steps of building the VU, says so.
   */
  static async create(
    id: number,
    thread: ThreadContext,
    env: Record<string, string>,
    stopFlag?: Int32Array,
    stopped?: () => boolean,
  ): Promise<VU> {
    if (stopped?.()) throw new InitStopped();
    const vu = new VU(id, thread);
    vu.vm = await VM.create(vu.hostFunctions(), stopped);
    if (stopFlag) vu.vm.stopFlag = stopFlag;
    try {
      await thread.inTurn(async () => {
        if (stopped?.()) throw new InitStopped();
        vu.vm.prepare(id, env, thread.options);
        vu.initEnv = SameEnv.of(env);
        await vu.vm.load(thread.filename, thread.source);
      });
    } catch (e) {
      vu.vm.dispose();
      if (e instanceof InitStopped || e instanceof ScriptError) throw e;
      throw new ScriptError(String((e as Error)?.message ?? e));
    }
    return vu;
  }

  exports(): { functions: string[]; options: unknown } {
    return this.vm.exports();
  }

  private cancels = new Set<Cancel>();
  /** the VU's iteration count (__ITER), for the `iter` metadata */
  private iter = 0;
  /** exec.vu.metrics.metadata, as the VM last set it */
  private userMeta: Record<string, string> | null = null;
  /** the metadata samples get now (null: none), rebuilt when the iteration or the VU's metadata changes */
  private meta: Record<string, string> | null = null;
  private metaFor = -1;

  private metadata(): Record<string, string> | null {
    const { vu, iter } = this.thread.optIn;
    if (!this.userMeta && !vu && !iter) return null;
    if (this.metaFor !== this.iter || !this.meta) {
      const m: Record<string, string> = {};
      if (this.userMeta) for (const k in this.userMeta) m[k] = this.userMeta[k];
      if (vu) m.vu = String(this.id);
      if (iter) m.iter = String(this.iter);
      this.meta = m;
      this.metaFor = this.iter;
    }
    return this.meta;
  }
  private reqCtx: RequestContext | null = null;
  /** what the VM's last request call sent, parsed */
  private lastRequests: WireRequest[] = [];

  private ctx(): RequestContext {
    if (this.reqCtx?.signal !== this.abortCtl.signal) {
      this.reqCtx = {
        emit: (s) => this.thread.emit(s, this.metadata()),
        signal: this.abortCtl.signal,
        cancels: this.cancels,
        warn: (msg, fields) => this.thread.callbacks.log('warning', msg, fields),
        bytes: this.bytes,
        jar: this.jar,
      };
    }
    return this.reqCtx;
  }

  private hostFunctions(): HostFunctions {
    const t = this.thread;
    const str = (v: unknown) => (typeof v === 'string' ? v : String(v));
    const bytes = (v: unknown) => (v instanceof Uint8Array ? v : str(v)) as Bytes;
    return {
      sync: {
        log: (level, msg) => {
          t.callbacks.log(str(level) as Level, str(msg), { source: 'console' });
          return undefined;
        },
        open: (file, binary) => {
          const buf = t.open(str(file));
          return binary ? new Uint8Array(buf) : buf.toString('utf8');
        },
        define: (name, type, contains) =>
          t.define(str(name), str(type) as MetricType, str(contains) as Contains),
        abort: (msg) => {
          t.callbacks.abort(str(msg));
          return undefined;
        },
        sharedLength: (name) => t.shared.get(str(name))?.length ?? -1,
        sharedStore: (name, json) => {
          const items = (JSON.parse(str(json)) as unknown[]).map((x) => JSON.stringify(x));
          t.shared.set(str(name), items);
          return items.length;
        },
        sharedGet: (name, i) => t.shared.get(str(name))?.[Number(i)] ?? 'null',
        b64encode: (data, enc) => b64encode(bytes(data), str(enc)),
        b64decode: (text, enc, asString) => {
          const b = b64decode(str(text), str(enc));
          return asString ? b.toString('utf8') : new Uint8Array(b);
        },
        hashNew: (alg, key, hasKey) => this.hashers.create(str(alg), hasKey ? bytes(key) : null),
        hashUpdate: (id, data) => {
          this.hashers.update(Number(id), bytes(data));
          return undefined;
        },
        hashDigest: (id, enc) => this.hashers.digest(Number(id), str(enc)),
        randomBytes: (n) => randomBytes(Number(n)),
        hexEncode: (data) => hexEncode(bytes(data)),
        jar: (op, url, arg) => this.jar.op(str(op), str(url), str(arg)),
        wsSendBinary: (id, data) => this.ws.send(str(id), data as Uint8Array),
        metadata: (json, samples) => {
          // Samples queued in the VM before the change keep the metadata they were made with.
          this.samples(samples);
          const m = JSON.parse(str(json)) as Record<string, string>;
          this.userMeta = Object.keys(m).length ? m : null;
          this.meta = null;
          return undefined;
        },
      },
      direct: {
        next: (verdict) => (this.onNext ? this.onNext(verdict) : NEXT_STOP),
        changing: () => this.changingJSON(),
        wsSend: (id, text) => this.ws.send(id, text),
        wsPing: (id) => this.ws.ping(id),
        wsClose: (id, code) => this.ws.close(id, code),
        wsTimer: (id, timer, ms, repeat) => {
          this.ws.timer(id, timer, ms, repeat);
          return undefined;
        },
        wsEnd: (id) => {
          this.ws.end(id);
          return undefined;
        },
      },
      async: {
        request: async (json, samples) => {
          // '' or none: the same requests as the last call (modules/http.ts: send)
          const text = json === undefined ? '' : str(json);
          const reqs = text === '' ? this.lastRequests : (this.lastRequests = this.texts.parse(text));
          this.samples(samples);
          const res = (await this.client().send(reqs, this.ctx())).map(encodeResponse);
          return res.length === 1 ? res[0] : JSON.stringify(res);
        },
        wsConnect: (json, samples) => this.ws.connect(str(json), str(samples ?? '')),
        wsWait: (id, samples) => this.ws.wait(str(id), str(samples ?? '')),
        pause: () => new Promise<undefined>((resolve) => setImmediate(() => resolve(undefined))),
        sleep: (ms, samples) =>
          new Promise<boolean>((resolve) => {
            this.samples(samples);
            if (this.abortCtl.signal.aborted) return resolve(true);
            if (!(Number(ms) > 0)) return setImmediate(() => resolve(this.abortCtl.signal.aborted));
            const timer = setTimeout(() => {
              this.sleepTimer = null;
              resolve(false);
            }, Number(ms));
            this.sleepTimer = { timer, resolve };
          }),
      },
    };
  }

  // noVUConnectionReuse: this VU gets its own connections, closed after each iteration.
  private own: HttpClient | null = null;

  private client(): HttpClient {
    if (!this.thread.options.noVUConnectionReuse) return this.thread.http;
    this.own ??= this.thread.newClient();
    return this.own;
  }

  /** Samples the VM queued, as JSON `[[metric, value, tags, time], ...]`. */
  private samples(json: unknown): void {
    if (typeof json !== 'string' || !json) return;
    const rows = JSON.parse(json) as [string, number, Record<string, string>, number][];
    this.thread.emit(
      rows.map(([metric, value, tags, time]) => ({ metric, value, tags, time })),
      this.metadata(),
    );
  }

  /** Ends the running iteration: sleeps and requests return at once, then the VM stops. */
  interrupt(): void {
    if (!this.running) return;
    this.interrupting = true;
    this.vm.interrupted = true;
    this.abortCtl.abort();
    this.ws.interrupt();
    for (const cancel of [...this.cancels]) cancel(new Error('interrupted'));
    if (this.sleepTimer) {
      clearTimeout(this.sleepTimer.timer);
      this.sleepTimer.resolve(true);
      this.sleepTimer = null;
    }
  }

  async run(req: RunRequest): Promise<RunResult> {
    const { fixed, changing } = this.begin(req);
    let text: string;
    try {
      text = await this.vm.run(req.fn, fixed, changing);
    } catch (e) {
      this.running = false;
      throw e;
    }
    return this.end(req, text);
  }

  /** when the iteration in flight started (performance.now()) */
  private started = 0;

  /** Sets an iteration going: what the VM-side runner gets (modules/core.ts: k6.run). */
  private begin(req: RunRequest): { fixed: string; changing: string } {
    optimiseSooner();
    this.running = true;
    this.interrupting = false;
    this.vm.interrupted = false;
    if (this.abortCtl.signal.aborted) this.abortCtl = new AbortController();
    this.bytes.sent = 0;
    this.bytes.received = 0;
    if (!this.thread.options.noCookiesReset) this.jar.reset();
    // req.reuse: tags, env, data and the scenario are those of the previous request (the pool leaves
    // them out of the message); what stays the same also crosses into the VM only when it changes.
    const sc = req.reuse ? this.lastScenario : req.scenario;
    let same = !!req.reuse && this.lastFixed !== '';
    if (!same) {
      // Copied key by key: V8 makes a spread copy that then grows ~50x slower, for every later use.
      const tags: Record<string, string> = {};
      for (const k in req.tags) tags[k] = req.tags[k];
      if (sc && tags.scenario === undefined) tags.scenario = sc.name;
      this.lastTags = tags;
      // The iteration's own samples share one tags object while tags and group stay the same.
      const itags: Record<string, string> = {};
      for (const k in tags) itags[k] = tags[k];
      itags.group = req.group ?? '';
      this.iterationTags = itags;
      this.lastScenario = sc;
      this.scenarioFields = sc ? { executor: sc.executor, scenario: sc.name } : {};
      const fixed = JSON.stringify({
        tags: this.lastTags,
        group: req.group ?? '',
        scenario: sc ? { name: sc.name, executor: sc.executor, startTime: sc.startTime } : null,
        env: this.iterationEnv(req.env),
        data: req.data,
        fresh: req.freshData ?? false,
        countIteration: req.countIteration ?? true,
        want: req.want,
        summary: req.summary,
      });
      same = fixed === this.lastFixed;
      this.lastFixed = fixed;
    }
    this.current = req;
    this.currentProgress = (req.reuse ? req.progress : sc?.progress) ?? 0;
    this.started = performance.now();
    return { fixed: same ? '' : this.lastFixed, changing: CHANGING_FROM_HOST };
  }

  /**
   * An iteration's env as it crosses into the VM: SAME_ENV when it holds what init code's did, which the VM
   * then copies from what it kept of that (a scenario without `env`: __ENV holds the whole environment, and
   * QuickJS spends ~1 µs per JSON value).
   */
  private iterationEnv(
    env: Record<string, string> | undefined,
  ): Record<string, string> | typeof SAME_ENV | undefined {
    if (env === undefined) return undefined;
    return this.initEnv.is(env) ? SAME_ENV : env;
  }

  /** the iteration in flight, for k6/execution's numbers (see changingJSON) */
  private current: RunRequest | null = null;
  private currentProgress = 0;

  /**
   * The running iteration's numbers, asked for by the VM when k6/execution first reads one (most
   * iterations never do). exec.instance's numbers ride flat after the others: QuickJS parses numbers
   * much faster than an object.
   */
  private changingJSON(): string {
    const req = this.current;
    if (!req) return '[0,0,null,0]';
    const progress = this.currentProgress;
    const i = req.instance;
    return JSON.stringify(
      i
        ? [
            req.iterationInScenario ?? 0,
            req.iterationInTest ?? 0,
            null,
            progress,
            i.testStart ?? 0,
            i.iterationsCompleted ?? 0,
            i.iterationsInterrupted ?? 0,
            i.vusActive ?? 0,
            i.vusInitialized ?? 0,
          ]
        : [req.iterationInScenario ?? 0, req.iterationInTest ?? 0, null, progress],
    );
  }

  /** Ends the iteration `begin` started, from the VM-side runner's verdict text. */
  private end(req: RunRequest, text: string): RunResult {
    const start = this.started;
    // The verdict's JSON, then (after \u0001) the samples the VM still held (see modules/core.ts).
    const cut = text.indexOf('\u0001');
    const head = cut < 0 ? text : text.slice(0, cut);
    let verdict: RunVerdict = head === '{"ok":true}' ? { ok: true } : JSON.parse(head);
    if (cut >= 0) this.samples(text.slice(cut + 1));
    if (!verdict.aborted && (this.interrupting || this.vm.interrupted))
      verdict = { ok: false, interrupted: true, tags: verdict.tags };
    this.running = false;
    const end = performance.now();
    if (this.own) {
      const own = this.own;
      this.own = null;
      void own.close().catch(() => undefined);
    }
    if (verdict.error !== undefined && req.logErrors !== false) {
      this.thread.callbacks.log('error', verdict.error, { ...this.scenarioFields, source: 'stacktrace' });
    }
    // Sessions the VM left open end here, their bytes counted with the iteration's.
    this.ws.endAll();
    // An interrupted iteration still reports the bytes it moved, as k6 does (lib/netext GetTrail).
    if (req.emitIteration !== false) {
      const time = performance.timeOrigin + end;
      // exec.vu.tags set during the iteration tag its own samples too (the verdict has them then).
      const itags = verdict.tags ?? this.iterationTags;
      const out: Sample[] = [
        { metric: 'data_sent', time, value: this.bytes.sent, tags: itags },
        { metric: 'data_received', time, value: this.bytes.received, tags: itags },
      ];
      if (!verdict.interrupted) {
        out.push({ metric: 'iteration_duration', time, value: end - start, tags: itags });
        if (req.countIteration !== false) out.push({ metric: 'iterations', time, value: 1, tags: itags });
      }
      this.thread.emit(out, this.metadata());
    }
    if (req.countIteration !== false) this.iter++;
    const result: RunResult = { ok: verdict.ok };
    if (verdict.error !== undefined) result.error = verdict.error;
    if (verdict.interrupted) result.interrupted = true;
    if (verdict.aborted) result.aborted = true;
    if (verdict.value !== undefined) result.value = verdict.value;
    return result;
  }

  /** What the VM-side loop's host.next does while a loop runs (see loop); null otherwise. */
  private onNext: ((verdict: string | undefined) => number) | null = null;

  /**
   * Iterations back to back (see LoopRequest). The stop flag's second slot ends the loop between
   * iterations; its first, an interrupt, ends it with the iteration in flight. The iterations run in
   * one call of the VM-side loop (modules/core.ts: k6.loop): one entry into the VM, not one each.
   */
  async loop(l: LoopRequest): Promise<LoopResult> {
    const flag = this.vm.stopFlag;
    const counter = new Int32Array(l.counter);
    const inst = l.instance ? new Int32Array(l.instance) : null;
    const p = l.progress;
    const first = l.req;
    const out: LoopResult = { completed: 0, interrupted: 0 };
    let k = 0;
    const nextRequest = (): RunRequest | null => {
      if (l.max !== undefined && k >= l.max) return null;
      if (flag && (Atomics.load(flag, 0) !== 0 || Atomics.load(flag, 1) !== 0)) return null;
      const n = Atomics.add(counter, 0, 1);
      if (l.limit !== undefined && n >= l.limit) {
        Atomics.sub(counter, 0, 1);
        return null;
      }
      const progress = Math.min(1, Math.max(0, 'ms' in p ? (Date.now() - p.from) / p.ms : n / p.total));
      // One literal of one shape: a spread copy grown afterwards is much slower to read (see begin).
      return {
        fn: first.fn,
        reuse: k > 0,
        progress,
        scenario: k > 0 || !first.scenario ? undefined : { ...first.scenario, progress },
        tags: k > 0 ? undefined : first.tags,
        env: k > 0 ? undefined : first.env,
        data: k > 0 ? undefined : first.data,
        iterationInScenario: (first.iterationInScenario ?? 0) + k,
        iterationInTest: n,
        emitIteration: first.emitIteration,
        countIteration: first.countIteration,
        group: first.group,
        freshData: first.freshData,
        logErrors: first.logErrors,
        instance: inst
          ? {
              testStart: first.instance?.testStart,
              iterationsCompleted: Atomics.load(inst, INSTANCE.completed),
              iterationsInterrupted: Atomics.load(inst, INSTANCE.interrupted),
              vusActive: Atomics.load(inst, INSTANCE.active),
              vusInitialized: Atomics.load(inst, INSTANCE.initialized),
            }
          : undefined,
      };
    };
    // Counts a finished iteration; true when the loop ends with it.
    const account = (r: RunResult): boolean => {
      k++;
      if (r.interrupted) out.interrupted++;
      else out.completed++;
      if (inst) Atomics.add(inst, r.interrupted ? INSTANCE.interrupted : INSTANCE.completed, 1);
      if (r.aborted) out.aborted = true;
      return !!(r.aborted || r.interrupted);
    };
    let yielded = performance.now();
    let req = nextRequest();
    if (!req) return out;
    let { fixed, changing } = this.begin(req);
    let cur = req;
    // the VM-side loop returned for the engine's sake (see Engine.overdue), not because it is over
    let again = false;
    // verdict: the iteration's, or none (undefined) when the VM asks again after a pause
    this.onNext = (verdict) => {
      if (verdict !== undefined) {
        if (this.vm.pendingJobs()) return NEXT_RETURN;
        if (account(this.end(cur, verdict))) return NEXT_STOP;
        // An iteration that never waits would otherwise keep this thread's other VUs and messages waiting.
        if (performance.now() - yielded > 10) return NEXT_YIELD;
        if (this.vm.overdue()) {
          again = true;
          return NEXT_STOP;
        }
      } else yielded = performance.now();
      const nx = nextRequest();
      if (!nx) return NEXT_STOP;
      cur = nx;
      // Later iterations reuse the first one's fixed part (nx.reuse); the changing part waits in begin.
      this.begin(nx);
      return NEXT_GO;
    };
    try {
      for (;;) {
        again = false;
        const text = await this.vm.loop(cur.fn, fixed, changing);
        // A verdict back: an iteration host.next did not take (an async function's, promise jobs).
        if (text !== '' ? account(this.end(cur, text)) : !again) return out;
        if (performance.now() - yielded > 10) {
          await new Promise<void>((resolve) => setImmediate(resolve));
          yielded = performance.now();
        }
        if (!(req = nextRequest())) return out;
        cur = req;
        ({ fixed, changing } = this.begin(req));
      }
    } catch (e) {
      this.running = false;
      throw e;
    } finally {
      this.onNext = null;
    }
  }

  dispose(): void {
    this.ws.endAll();
    this.vm.dispose();
  }
}
