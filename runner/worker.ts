// Worker-thread entry: hosts one shard of the VU pool (see vu/shard.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { ShardHost, type FromShard, type ShardInit, type ToShard } from './vu/shard.ts';
import { Outbox } from './vu/outbox.ts';

// VU threads never print host stack traces, and the QuickJS library captures one on every suspension
// (each request, each sleep): a measurable share of the CPU.
Error.stackTraceLimit = 0;

if (parentPort) {
  const port = parentPort;
  const out = new Outbox<FromShard>((batch) => {
    // All samples queued so far travel packed together with the replies (one typed array per batch).
    const samples = host.samplesMessage();
    if (samples) batch.push(samples);
    port.postMessage(batch);
  });
  const host = new ShardHost(workerData as ShardInit, (m) => out.post(m), true);
  port.on('message', (batch: ToShard[]) => {
    for (const m of batch) {
      void host.handle(m).then(() => {
        if (m.t !== 'close') return;
        out.flush();
        port.close();
      });
    }
  });
}
