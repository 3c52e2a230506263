// Worker-thread entry: hosts one shard of the VU pool (see vu/shard.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { ShardHost, type ShardInit, type ToShard } from './vu/shard.ts';

// VU threads never print host stack traces, and the QuickJS library captures one on every suspension
// (each request, each sleep): a measurable share of the CPU.
Error.stackTraceLimit = 0;

if (parentPort) {
  const port = parentPort;
  const host = new ShardHost(workerData as ShardInit, (m) => port.postMessage(m), true);
  port.on('message', (m: ToShard) => {
    void host.handle(m).then(() => {
      if (m.t === 'close') port.close();
    });
  });
}
