// One Node timer for many scheduled callbacks: topic events after their lag, conversation ends, session
// expiry checks. A soak creates them by the hundred thousand; a min-heap keeps each schedule O(log n) and
// leaves a single timer armed for the earliest one instead of one timer object each.

interface Entry {
  at: number;
  seq: number;
  run: () => void;
}

export class TimerQueue {
  private heap: Entry[] = [];
  private seq = 0;
  private timer: NodeJS.Timeout | undefined;
  private armedFor = Infinity;

  get size(): number {
    return this.heap.length;
  }

  /** Runs `run` at `at` (ms since the epoch), or on the next turn when that is past; same times run in order. */
  at(at: number, run: () => void): void {
    const e = { at, seq: this.seq++, run };
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(h[i], h[parent])) break;
      [h[i], h[parent]] = [h[parent], h[i]];
      i = parent;
    }
    if (at < this.armedFor) this.arm();
  }

  private arm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.armedFor = Infinity;
    if (this.heap.length === 0) return;
    const at = this.heap[0].at;
    this.armedFor = at;
    this.timer = setTimeout(() => this.fire(), Math.max(0, at - Date.now()));
    // The server keeps the process alive; a pending event alone should not.
    this.timer.unref();
  }

  private fire(): void {
    this.timer = undefined;
    this.armedFor = Infinity;
    const now = Date.now();
    while (this.heap.length > 0 && this.heap[0].at <= now) {
      const e = this.pop();
      try {
        e.run();
      } catch (err) {
        console.error(`emulator: internal error in a scheduled task: ${(err as Error)?.stack ?? err}`);
      }
    }
    this.arm();
  }

  private pop(): Entry {
    const h = this.heap;
    const top = h[0];
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && before(h[l], h[m])) m = l;
        if (r < h.length && before(h[r], h[m])) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m], h[i]];
        i = m;
      }
    }
    return top;
  }

  clear(): void {
    this.heap = [];
    this.arm();
  }
}

function before(a: Entry, b: Entry): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}
