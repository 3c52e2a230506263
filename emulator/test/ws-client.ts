// A small WebSocket client for the tests: frames are parsed JSON, read in order with a deadline.
import { after } from 'node:test';
import WebSocket from 'ws';

export interface Received {
  at: number;
  msg: any;
}

export class Client {
  private queue: Received[] = [];
  private waiting: ((r: Received) => void) | undefined;
  readonly closed: Promise<{ code: number; reason: string }>;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const r = { at: performance.now(), msg: JSON.parse(data.toString()) };
      if (this.waiting) {
        const w = this.waiting;
        this.waiting = undefined;
        w(r);
      } else this.queue.push(r);
    });
    this.closed = new Promise((resolve) =>
      ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
  }

  /** Opens a socket that is closed when the test file ends. */
  static async open(url: string): Promise<Client> {
    const ws = new WebSocket(url);
    after(() => ws.terminate());
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('unexpected-response', (_req, res) => reject(new Error(`refused: ${res.statusCode}`)));
      ws.once('error', reject);
    });
    return new Client(ws);
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** The next frame, with the time it arrived (performance.now()). */
  nextAt(timeoutMs = 2000): Promise<Received> {
    const queued = this.queue.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting = undefined;
        reject(new Error(`no frame within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting = (r) => {
        clearTimeout(timer);
        resolve(r);
      };
    });
  }

  async next(timeoutMs = 2000): Promise<any> {
    return (await this.nextAt(timeoutMs)).msg;
  }

  /** Skips frames until one matches (heartbeats, say), or the deadline passes. */
  async until(match: (msg: any) => boolean, timeoutMs = 2000): Promise<Received> {
    const end = performance.now() + timeoutMs;
    for (;;) {
      const r = await this.nextAt(Math.max(1, end - performance.now()));
      if (match(r.msg)) return r;
    }
  }

  /** Resolves with no frame when none arrives within `ms`; rejects with the frame otherwise. */
  async quiet(ms: number): Promise<void> {
    const r = await this.nextAt(ms).catch(() => undefined);
    if (r) throw new Error(`unexpected frame: ${JSON.stringify(r.msg)}`);
  }
}

/** The HTTP status and JSON body of an upgrade the server refuses. */
export function refusal(url: string): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.once('open', () => {
      ws.terminate();
      reject(new Error('the upgrade was accepted'));
    });
    ws.once('unexpected-response', (_req, res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
    });
    ws.once('error', () => {});
  });
}

export const wsUrl = (httpUrl: string, path: string) => httpUrl.replace(/^http/, 'ws') + path;
