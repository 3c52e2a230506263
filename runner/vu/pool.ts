// The VU pool the executors drive: VUs sharded over worker threads (or kept on the main thread when asked
// for no worker), plus fresh id-0 VUs for setup, teardown and handleSummary in the first VU thread.
import { Worker } from 'node:worker_threads';
import os from 'node:os';
import type { MetricDef } from '../metrics/types.ts';
import { log } from '../log.ts';
import { ShardHost, type FromShard, type ShardInit, type ToShard } from './shard.ts';
import { InitError, resolveScript, sharedArraysOf } from './init.ts';
import { ThreadContext, VU } from './vu.ts';
import { quickjsBuild } from './vm.ts';
import { warmUp } from './warmup.ts';
import { unpack } from './samples.ts';
import { Outbox } from './outbox.ts';
import { SameEnv } from './env.ts';
import type { LoopRequest, PoolConfig, RunRequest, RunResult, SummaryOutputs, VUHandle } from './types.ts';

export type { PoolConfig, RunRequest, RunResult, VUHandle, SummaryOutputs } from './types.ts';
export type { LoopRequest, LoopResult } from './types.ts';
export type { ScenarioInfo, InstanceInfo } from './types.ts';
export { initOptionsPass, InitError } from './init.ts';

interface Shard {
  send(m: ToShard): void;
  close(): Promise<void>;
  /** set once a worker thread has died: requests to it fail at once */
  dead?: string;
  /** the worker thread (absent for VUs on this thread) */
  worker?: Worker;
}

// Where the worker entry lives: beside the bundled cli (build/runner/worker.js), or runner/worker.ts
// when running from source under tsx.
// Under load V8 grows each isolate's young generation to its maximum (~34 MB of new space per VU
// thread, measured); a bounded one does as well. Its size is set in vm.ts (3 MB semi-spaces); this
// maximum only has to allow it.
// A deep JavaScript call chain in a VU takes ~31 KB of thread stack per level (see vm.ts); 64 MB lets
// QuickJS's own limit, a catchable error, come first. Untouched stack costs no memory.
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 24, stackSizeMb: 64 };

// Start-up VUs sent to each thread at a time. A thread builds the VMs it holds side by side, which costs
// less CPU than one by one (about as much as all at once from 256 on); a stop skips what it holds at the
// next step of each VU and never sees the rest (100-250 ms to stop 20,000 VUs starting on 2 threads).
const INIT_CHUNK_PER_THREAD = 256;

function startWorker(workerData: ShardInit): Worker {
  if (import.meta.url.endsWith('.ts')) {
    const tsx = import.meta.resolve('tsx/esm/api');
    const entry = new URL('../worker.ts', import.meta.url).href;
    const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); })`;
    return new Worker(boot, { eval: true, workerData, resourceLimits: WORKER_LIMITS });
  }
  return new Worker(new URL('./worker.js', import.meta.url), { workerData, resourceLimits: WORKER_LIMITS });
}

// Executors pass the same tags, env and setup data objects on every iteration of a scenario; a VU then
// gets them once (they can be large: __ENV holds the whole environment).
function sameAsBefore(last: RunRequest | null, req: RunRequest): boolean {
  if (!last) return false;
  const a = last.scenario;
  const b = req.scenario;
  return (
    last.fn === req.fn &&
    last.tags === req.tags &&
    last.env === req.env &&
    last.data === req.data &&
    last.group === req.group &&
    last.countIteration === req.countIteration &&
    last.freshData === req.freshData &&
    last.want === req.want &&
    last.summary === req.summary &&
    (a === b || (!!a && !!b && a.name === b.name && a.executor === b.executor && a.startTime === b.startTime))
  );
}

export class VUPool {
  private shards: Shard[] = [];
  private handles = new Map<number, VUHandle>();
  private waiting = new Map<number, (m: Extract<FromShard, { t: 'reply' }>) => void>();
  private waitingOn = new Map<number, Shard>();
  private seq = 0;
  private nextId = 1;
  private defined = new Set<string>();
  private init: ShardInit;

  private constructor(private cfg: PoolConfig) {
    const script = resolveScript(cfg.script);
    this.init = {
      script,
      env: cfg.env,
      options: cfg.options,
      shared: sharedArraysOf(script.filename),
      metrics: [],
      initStop: new SharedArrayBuffer(4),
    };
  }

  /**
   * Initialises `count` VUs (ids 1..count), fewer when `cfg.signal` stops it first. Rejects with an InitError
   * when the init code throws.
   */
  static async create(cfg: PoolConfig): Promise<VUPool> {
    const pool = new VUPool(cfg);
    // Warming up overlaps with VU initialisation (in the workers, or interleaved on this thread).
    const warm = warmUp();
    // VUs run in worker threads even for small runs: there a busy loop can be interrupted and a deep call
    // chain has room (see vm.ts); the main thread keeps the scheduler, the metrics and the outputs.
    const workers = cfg.workers ?? Math.min(os.availableParallelism(), Math.ceil(cfg.count / 10));
    if (workers <= 0) pool.shards.push(pool.localShard());
    else {
      pool.init.wasm = await quickjsBuild.module();
      for (let i = 0; i < workers; i++) pool.shards.push(pool.workerShard());
    }
    try {
      await pool.addAll(cfg.count, cfg.signal);
      // Stopped, the pool only runs handleSummary: the warm-up would only delay it.
      if (!cfg.signal?.aborted) await warm;
    } catch (e) {
      await pool.close();
      throw e;
    }
    return pool;
  }

  get size(): number {
    return this.handles.size;
  }

  vu(id: number): VUHandle {
    const h = this.handles.get(id);
    if (!h) throw new Error(`VU ${id} is not initialised`);
    return h;
  }

  // A chunk at a time, until `count`, a stop (a signal during the start-up of 20,000 VUs) or the first
  // failure; either of those makes the threads skip what they still hold.
  private async addAll(count: number, signal?: AbortSignal): Promise<void> {
    const flag = new Int32Array(this.init.initStop!);
    const stop = () => Atomics.store(flag, 0, 1);
    signal?.addEventListener('abort', stop, { once: true });
    try {
      const chunk = Math.max(1, this.shards.length) * INIT_CHUNK_PER_THREAD;
      for (let queued = 0; queued < count && !signal?.aborted;) {
        const n = Math.min(chunk, count - queued);
        queued += n;
        const results = await Promise.allSettled(
          Array.from({ length: n }, () =>
            this.addVU(true).catch((e) => {
              stop();
              throw e;
            }),
          ),
        );
        const failed = results.find((r) => r.status === 'rejected');
        if (failed) throw (failed as PromiseRejectedResult).reason;
      }
    } finally {
      signal?.removeEventListener('abort', stop);
    }
  }

  /** Initialises one more VU (the next id), e.g. for an arrival-rate executor growing towards maxVUs. */
  async add(): Promise<VUHandle> {
    return (await this.addVU(false))!;
  }

  // null: a start-up VU the thread skipped, the start-up having been stopped.
  private async addVU(startUp: boolean): Promise<VUHandle | null> {
    const id = this.nextId++;
    const shard = this.shards[(id - 1) % this.shards.length];
    // The stop flag reaches a VU even while its thread is busy running JavaScript.
    // [interrupt, no further iteration of a loop]
    const stop = new SharedArrayBuffer(8);
    const flag = new Int32Array(stop);
    const reply = await this.request(shard, { t: 'create', id, seq: 0, stop, startUp });
    if (reply.skipped) return null;
    if (reply.error !== undefined) throw new InitError(reply.error);
    let last: RunRequest | null = null;
    const handle: VUHandle = {
      id,
      run: async (req: RunRequest) => {
        Atomics.store(flag, 0, 0);
        const msg = sameAsBefore(last, req)
          ? {
              ...req,
              reuse: true,
              progress: req.scenario?.progress,
              tags: undefined,
              env: undefined,
              data: undefined,
              scenario: undefined,
            }
          : this.withoutPoolEnv(req);
        last = req;
        const r = await this.request(shard, { t: 'run', id, seq: 0, req: msg });
        return r.result ?? { ok: false, error: r.error };
      },
      loop: async (l: LoopRequest) => {
        Atomics.store(flag, 0, 0);
        Atomics.store(flag, 1, 0);
        // The VU keeps the request as its last one: a later run() may leave the fixed parts out again.
        last = l.req;
        const r = await this.request(shard, {
          t: 'loop',
          id,
          seq: 0,
          loop: { ...l, req: this.withoutPoolEnv(l.req) },
        });
        return r.loop ?? { completed: 0, interrupted: 0, error: r.error ?? 'no reply' };
      },
      stopLooping: () => Atomics.store(flag, 1, 1),
      interrupt: () => {
        Atomics.store(flag, 0, 1);
        shard.send({ t: 'interrupt', id });
      },
    };
    this.handles.set(id, handle);
    return handle;
  }

  private poolEnv: SameEnv | null = null;
  /** The request as it crosses to a shard: an env holding what the pool's own does stays behind. */
  private withoutPoolEnv(req: RunRequest): RunRequest {
    this.poolEnv ??= SameEnv.of(this.cfg.env);
    return req.env && this.poolEnv.is(req.env) ? { ...req, env: undefined, poolEnv: true } : req;
  }

  /** setup() in a fresh VU 0, group ::setup; `value` is the JSON text of its result (if any). */
  async runSetup(opts: { tags?: Record<string, string>; timeout?: number } = {}): Promise<RunResult> {
    return this.lifecycle(
      'setup',
      { fn: 'setup', group: '::setup', want: 'json', tags: opts.tags },
      opts.timeout,
    );
  }

  /** teardown(data) in a fresh VU 0, group ::teardown. */
  async runTeardown(
    data: string | undefined,
    opts: { tags?: Record<string, string>; timeout?: number } = {},
  ): Promise<RunResult> {
    return this.lifecycle(
      'teardown',
      { fn: 'teardown', group: '::teardown', data, freshData: true, tags: opts.tags },
      opts.timeout,
    );
  }

  /** handleSummary(data) in a fresh VU 0; resolves with its outputs, or null when it returned nothing. */
  async runHandleSummary(
    summary: unknown,
    opts: { timeout?: number } = {},
  ): Promise<{ ok: boolean; outputs: SummaryOutputs | null; error?: string; timedOut?: boolean }> {
    const r = await this.lifecycle(
      'handleSummary',
      { fn: 'handleSummary', summary, want: 'summary', emitIteration: false, logErrors: false },
      opts.timeout ?? 120_000,
    );
    if (!r.ok) return { ok: false, outputs: null, error: r.error, timedOut: r.timedOut };
    const raw = r.value as Record<string, { text?: string; b64?: string }> | null | undefined;
    if (!raw) return { ok: true, outputs: null };
    const outputs: SummaryOutputs = {};
    for (const [k, v] of Object.entries(raw))
      outputs[k] = v.b64 !== undefined ? new Uint8Array(Buffer.from(v.b64, 'base64')) : (v.text ?? '');
    return { ok: true, outputs };
  }

  private async lifecycle(
    what: string,
    req: RunRequest,
    timeout?: number,
  ): Promise<RunResult & { timedOut?: boolean }> {
    // In a VU thread when there is one: there a busy loop can be interrupted at the timeout and a deep
    // call chain has room (see vm.ts).
    const shard = this.shards.find((s) => s.worker !== undefined && s.dead === undefined);
    if (shard) return this.lifecycleIn(shard, what, req, timeout);
    const thread = this.mainThread();
    let vu: VU;
    try {
      vu = await VU.create(0, thread, this.cfg.env);
    } catch (e) {
      await thread.close();
      return { ok: false, error: (e as Error).message };
    }
    try {
      return await withTimeout(what, vu.run({ countIteration: false, ...req }), timeout, () =>
        vu.interrupt(),
      );
    } finally {
      vu.dispose();
      await thread.close();
    }
  }

  // A fresh VU 0 each time; creating it again replaces the previous one in the shard.
  private async lifecycleIn(
    shard: Shard,
    what: string,
    req: RunRequest,
    timeout?: number,
  ): Promise<RunResult & { timedOut?: boolean }> {
    const stop = new SharedArrayBuffer(4);
    const created = await this.request(shard, { t: 'create', id: 0, seq: 0, stop });
    if (created.error !== undefined) return { ok: false, error: created.error };
    const run = this.request(shard, { t: 'run', id: 0, seq: 0, req: { countIteration: false, ...req } }).then(
      (r) => r.result ?? { ok: false, error: r.error },
    );
    return withTimeout(what, run, timeout, () => {
      Atomics.store(new Int32Array(stop), 0, 1);
      shard.send({ t: 'interrupt', id: 0 });
    });
  }

  /** Stops every shard and frees every VM. */
  async close(): Promise<void> {
    await Promise.all(this.shards.map((s) => s.close()));
    this.shards = [];
    this.handles.clear();
  }

  private request(shard: Shard, m: ToShard): Promise<Extract<FromShard, { t: 'reply' }>> {
    const seq = ++this.seq;
    if (shard.dead !== undefined) {
      const error = shard.dead;
      return Promise.resolve({ t: 'reply', seq, error, result: { ok: false, error } });
    }
    return new Promise((resolve) => {
      this.waiting.set(seq, resolve);
      this.waitingOn.set(seq, shard);
      shard.send({ ...m, seq } as ToShard);
    });
  }

  private receive(m: FromShard): void {
    switch (m.t) {
      case 'reply': {
        if (m.packed) this.cfg.onSamples(unpack(m.packed));
        else if (m.batch) this.cfg.onSamples(m.batch);
        const w = this.waiting.get(m.seq);
        this.waiting.delete(m.seq);
        this.waitingOn.delete(m.seq);
        w?.(m);
        return;
      }
      case 'samples':
        if (m.packed) this.cfg.onSamples(unpack(m.packed));
        else if (m.batch) this.cfg.onSamples(m.batch);
        return;
      case 'define':
        this.define(m.def);
        return;
      case 'log':
        (this.cfg.onLog ?? log)(m.level, m.msg, m.fields);
        return;
      case 'abort':
        this.cfg.onAbort?.(m.msg);
        return;
    }
  }

  // A worker that dies takes its VUs with it: whoever waits on one gets an error instead of hanging.
  private fail(shard: Shard, message: string): void {
    for (const [seq, w] of [...this.waiting]) {
      if (this.waitingOn.get(seq) !== shard) continue;
      this.waiting.delete(seq);
      this.waitingOn.delete(seq);
      w({ t: 'reply', seq, error: message, result: { ok: false, error: message } });
    }
  }

  private define(def: MetricDef): void {
    if (this.defined.has(def.name)) return;
    this.defined.add(def.name);
    this.cfg.onDefine?.(def);
  }

  private mainThread(): ThreadContext {
    const t = new ThreadContext(this.init.script, this.init.options, {
      samples: (batch) => this.cfg.onSamples(batch),
      define: (def) => this.define(def),
      log: (level, msg, fields) => (this.cfg.onLog ?? log)(level, msg, fields),
      abort: (msg) => this.cfg.onAbort?.(msg),
    });
    for (const [k, v] of this.init.shared) t.shared.set(k, v);
    return t;
  }

  private localShard(): Shard {
    const host = new ShardHost(this.init, (m) => this.receive(m));
    return {
      send: (m) => void host.handle(m),
      close: () => host.handle({ t: 'close', seq: 0 }),
    };
  }

  private workerShard(): Shard {
    const worker = startWorker(this.init);
    let closed: Promise<void> | null = null;
    const out = new Outbox<ToShard>((batch) => worker.postMessage(batch));
    worker.on('message', (batch: FromShard[]) => {
      for (const m of batch) this.receive(m);
    });
    const shard: Shard = {
      worker,
      send: (m) => out.post(m),
      close: () =>
        (closed ??= this.request(shard, { t: 'close', seq: 0 }).then(async () => {
          await worker.terminate();
        })),
    };
    const died = (message: string) => {
      // Reported once, and only while the pool is open: a runner fault that takes the thread's VUs with it.
      if (shard.dead === undefined && !closed) this.cfg.onFault?.(message);
      shard.dead ??= message;
      this.fail(shard, message);
    };
    worker.on('error', (e) => died(`VU worker failed: ${e.message}`));
    worker.on('exit', () => died('VU worker exited'));
    return shard;
  }
}

/** A lifecycle function's run, interrupted and reported as timed out once `timeout` ms have passed. */
async function withTimeout(
  what: string,
  run: Promise<RunResult>,
  timeout: number | undefined,
  interrupt: () => void,
): Promise<RunResult & { timedOut?: boolean }> {
  if (!timeout) return run;
  let timer: NodeJS.Timeout | undefined;
  let timedOut = false;
  const limit = new Promise<RunResult>((resolve) => {
    timer = setTimeout(() => {
      timedOut = true;
      interrupt();
      resolve({
        ok: false,
        error: `${what}() execution timed out after ${Math.round(timeout / 1000)} seconds`,
      });
    }, timeout);
  });
  try {
    const r = await Promise.race([run, limit]);
    if (timedOut) await run.catch(() => undefined);
    return timedOut ? { ...r, timedOut: true } : r;
  } finally {
    clearTimeout(timer);
  }
}
