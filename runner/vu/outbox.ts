// Messages between the pool and a worker thread, sent in batches: everything posted during one turn of
// the event loop leaves as one array. Each postMessage wakes the other thread, and under load that
// costs more than the message itself.
export class Outbox<T> {
  private queue: T[] = [];
  private scheduled = false;

  constructor(private postArray: (batch: T[]) => void) {}

  post(m: T): void {
    this.queue.push(m);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  flush(): void {
    this.scheduled = false;
    if (!this.queue.length) return;
    const batch = this.queue;
    this.queue = [];
    this.postArray(batch);
  }
}
