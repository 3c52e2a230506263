// Worker-thread entry: hosts one shard of the VU pool (see vu/shard.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { ShardHost, type ShardInit, type ToShard } from './vu/shard.ts';

if (parentPort) {
  const port = parentPort;
  const host = new ShardHost(workerData as ShardInit, (m) => port.postMessage(m));
  port.on('message', (m: ToShard) => {
    void host.handle(m).then(() => {
      if (m.t === 'close') port.close();
    });
  });
}
