// A group of VUs living in one thread. The pool talks to a shard through these messages, whether the
// shard is a worker thread (worker.ts) or the main thread.
import type { MetricDef, Sample } from '../metrics/types.ts';
import type { Fields, Level } from '../log.ts';
import { ThreadContext, VU } from './vu.ts';
import { pack, type PackedSamples } from './samples.ts';
import { InitStopped, quickjsBuild } from './vm.ts';
import type { LoopRequest, LoopResult, RunRequest, RunResult, ScriptInput } from './types.ts';

export interface ShardInit {
  script: ScriptInput;
  env: Record<string, string>;
  options: Record<string, unknown>;
  shared: [string, string[]][];
  metrics: MetricDef[];
  /** the compiled QuickJS WebAssembly.Module (the build vm.ts chose), shared with worker threads */
  wasm?: object;
  /** Int32Array [start-up stopped]: queued start-up VUs are skipped once it is set */
  initStop?: SharedArrayBuffer;
}

export type ToShard =
  | { t: 'create'; id: number; seq: number; stop?: SharedArrayBuffer; startUp?: boolean }
  | { t: 'run'; id: number; seq: number; req: RunRequest }
  | { t: 'loop'; id: number; seq: number; loop: LoopRequest }
  | { t: 'interrupt'; id: number }
  | { t: 'close'; seq: number };

export type FromShard =
  | {
      t: 'reply';
      seq: number;
      result?: RunResult;
      loop?: LoopResult;
      error?: string;
      /** a start-up VU not created: the start-up was stopped */
      skipped?: boolean;
      packed?: PackedSamples;
      batch?: Sample[];
    }
  | { t: 'samples'; packed?: PackedSamples; batch?: Sample[] }
  | { t: 'define'; def: MetricDef }
  | { t: 'log'; level: Level; msg: string; fields: Fields }
  | { t: 'abort'; msg: string };

/** The shard's side: owns the VUs and answers messages; `post` carries replies and events back. */
export class ShardHost {
  private vus = new Map<number, VU>();
  private thread: ThreadContext;
  private pending: Sample[] = [];
  private flushTimer: NodeJS.Timeout | null = null;
  private initStop: Int32Array | undefined;

  /** `pack`: samples cross a thread boundary (see samples.ts); otherwise they are passed as they are. */
  constructor(
    private init: ShardInit,
    private post: (m: FromShard) => void,
    private packSamples = false,
  ) {
    this.thread = new ThreadContext(init.script, init.options, {
      samples: (batch) => this.queue(batch),
      define: (def) => post({ t: 'define', def }),
      log: (level, msg, fields) => post({ t: 'log', level, msg, fields }),
      abort: (msg) => post({ t: 'abort', msg }),
    });
    if (init.wasm) quickjsBuild.useModule(init.wasm);
    if (init.initStop) this.initStop = new Int32Array(init.initStop);
    for (const [k, v] of init.shared) this.thread.shared.set(k, v);
    for (const d of init.metrics) this.thread.metrics.set(d.name, d);
  }

  private queue(batch: Sample[]): void {
    for (const s of batch) this.pending.push(s);
    if (this.pending.length >= 1024) this.flush();
    else if (!this.flushTimer) this.flushTimer = setTimeout(() => this.flush(), 50);
  }

  /** The queued samples, in the form the message carries them; the queue is emptied. */
  private take(): { packed?: PackedSamples; batch?: Sample[] } {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    if (!this.pending.length) return {};
    const batch = this.pending;
    this.pending = [];
    return this.packSamples ? { packed: pack(batch) } : { batch };
  }

  /**
   * The queued samples as one message, for a batch of messages about to cross to the main thread: it
   * is handled in the same event as the replies in that batch, before any of them resolves.
   */
  samplesMessage(): FromShard | null {
    const s = this.take();
    return s.packed || s.batch ? { t: 'samples', ...s } : null;
  }

  flush(): void {
    const s = this.take();
    if (s.packed || s.batch) this.post({ t: 'samples', ...s });
  }

  // An iteration's samples arrive before it resolves: on this thread they ride with its reply; across
  // threads they join the batch of messages that carries the reply (see samplesMessage).
  private answer(seq: number, body: { result: RunResult } | { loop: LoopResult }): void {
    this.post(this.packSamples ? { t: 'reply', seq, ...body } : { t: 'reply', seq, ...body, ...this.take() });
  }

  // The thread builds the VMs it was sent side by side, step by step (a fifth less CPU, measured, than one
  // after the other); a start-up VU gives up at its next step once the start-up has been stopped.
  private async create(m: Extract<ToShard, { t: 'create' }>): Promise<void> {
    const stop = this.initStop;
    const stopped = m.startUp && stop ? () => Atomics.load(stop, 0) === 1 : undefined;
    try {
      const flag = m.stop ? new Int32Array(m.stop) : undefined;
      this.vus.set(m.id, await VU.create(m.id, this.thread, this.init.env, flag, stopped));
      this.post({ t: 'reply', seq: m.seq });
    } catch (e) {
      if (e instanceof InitStopped) this.post({ t: 'reply', seq: m.seq, skipped: true });
      else this.post({ t: 'reply', seq: m.seq, error: (e as Error).message });
    }
  }

  async handle(m: ToShard): Promise<void> {
    switch (m.t) {
      case 'create':
        return this.create(m);
      case 'run': {
        if (m.req.poolEnv) m.req.env = this.init.env;
        const vu = this.vus.get(m.id);
        let result: RunResult;
        try {
          if (!vu) throw new Error(`VU ${m.id} does not exist`);
          result = await vu.run(m.req);
        } catch (e) {
          result = { ok: false, error: String((e as Error)?.stack ?? e) };
        }
        this.answer(m.seq, { result });
        return;
      }
      case 'loop': {
        if (m.loop.req.poolEnv) m.loop.req.env = this.init.env;
        const vu = this.vus.get(m.id);
        let loop: LoopResult;
        try {
          if (!vu) throw new Error(`VU ${m.id} does not exist`);
          loop = await vu.loop(m.loop);
        } catch (e) {
          loop = { completed: 0, interrupted: 0, error: String((e as Error)?.stack ?? e) };
        }
        this.answer(m.seq, { loop });
        return;
      }
      case 'interrupt':
        this.vus.get(m.id)?.interrupt();
        return;
      case 'close':
        this.flush();
        for (const vu of this.vus.values()) vu.dispose();
        this.vus.clear();
        await this.thread.close();
        this.post({ t: 'reply', seq: m.seq });
        return;
    }
  }
}
