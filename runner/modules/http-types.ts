// What a request and its connection look like to k6/http's host half, whichever protocol carries them:
// http1.ts and http2.ts both fill these in, so neither owns them.
/** What a connection tells the request that first used it. */
export interface ConnInfo {
  /** TCP connect time, ms */
  connecting: number;
  /** TLS handshake time, ms */
  tls: number;
  tlsVersion: string;
  cipher: string;
  remoteAddress: string;
  remotePort: number;
}

/** One request and its response, filled in as it goes. */
export interface Exchange {
  status: number;
  statusText: string;
  /** flat [name, value, name, value, ...] as received (latin1) */
  headers: string[];
  body: Buffer;
  error: unknown;
  /** performance.now() instants */
  start: number;
  connectedAt: number;
  sentAt: number;
  firstByte: number;
  end: number;
  /** bytes on the wire, head included */
  bytesIn: number;
  bytesOut: number;
  conn: ConnInfo | null;
  /** the first request on its connection: the connection's timings are its own */
  fresh: boolean;
  /** HTTP/1.1, or HTTP/2.0 when the TLS handshake chose h2 */
  proto: string;
}

export interface RequestOptions {
  method: string;
  url: URL;
  /** lower-case names */
  headers: Record<string, string>;
  body: Buffer | undefined;
  /** ms */
  timeout: number;
  /** whose connections these are (k6 gives each VU its own): HTTP/2 sessions are kept per scope */
  scope?: object;
}

/** Ends a request early (the VU is interrupted). */
export type Cancel = (err: Error) => void;
