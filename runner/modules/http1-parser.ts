// An incremental HTTP/1.1 response parser: bytes in as they arrive, the head and the body parts out. It
// handles content-length, chunked (with trailers) and read-until-close bodies, skips 1xx responses, and
// says whether the connection can carry another request once the response is complete.

const CRLF = '\r\n';
const HEAD_END = Buffer.from('\r\n\r\n');
/** The most a head (or a chunk-size line) may take before the response is rejected. */
export const MAX_HEAD = 1 << 20;

export interface ResponseHead {
  status: number;
  statusText: string;
  /** flat [name, value, name, value, ...] as received (latin1) */
  headers: string[];
}

const enum Body {
  None,
  Length,
  Chunked,
  UntilClose,
}

const enum Chunk {
  Size,
  Data,
  DataEnd,
  Trailer,
}

export class ParseError extends Error {
  code = 'HPE_INVALID';
}

export class ResponseParser {
  /** the final response's head, once parsed */
  head: ResponseHead | null = null;
  /** the body as it arrived (chunked framing removed) */
  parts: Buffer[] = [];
  /** whether the connection may carry another request after this response */
  reusable = true;
  private method = '';
  private held: Buffer | null = null;
  private kind = Body.None;
  private remaining = 0;
  private chunk = Chunk.Size;
  private complete = false;

  /** Starts on the response to a `method` request; `keepAlive`: the request allows reuse. */
  begin(method: string, keepAlive: boolean): void {
    this.method = method;
    this.reusable = keepAlive;
    this.head = null;
    this.parts = [];
    this.held = null;
    this.complete = false;
  }

  /** Takes the next bytes; true once the response is complete. Throws ParseError on a broken response. */
  push(d: Buffer): boolean {
    if (this.complete) {
      // Bytes past a complete response (in the same read): the connection is not reused.
      if (d.length) this.reusable = false;
      return true;
    }
    if (!this.head) {
      const buf = this.upTo(d, HEAD_END, 'response head');
      if (!buf) return false;
      const at = this.at;
      const rest = buf.subarray(at + 4);
      if (!this.parseHead(buf.toString('latin1', 0, at))) return rest.length ? this.push(rest) : false;
      if (this.complete) return this.push(rest);
      d = rest;
    }
    this.body(d);
    return this.complete;
  }

  /** The connection closed: true if that ends the response (a body without a length). */
  closed(): boolean {
    if (this.head && this.kind === Body.UntilClose && !this.complete) {
      this.complete = true;
      return true;
    }
    return this.complete;
  }

  private at = 0;

  /** `d` after the bytes held back, once `delim` is in it (its offset in `this.at`); else null, `d` held. */
  private upTo(d: Buffer, delim: Buffer | string, what: string): Buffer | null {
    const buf = this.held ? Buffer.concat([this.held, d]) : d;
    const at = buf.indexOf(delim);
    if (at >= 0) {
      this.held = null;
      this.at = at;
      return buf;
    }
    if (buf.length > MAX_HEAD) throw new ParseError(`${what} too large`);
    this.held = buf;
    return null;
  }

  /** false for an informational (1xx) response: the real one follows. */
  private parseHead(text: string): boolean {
    const lines = text.split(CRLF);
    const m = /^HTTP\/1\.([01]) (\d{3})(?: (.*))?$/.exec(lines[0]);
    if (!m) throw new ParseError(`malformed HTTP response "${lines[0].slice(0, 64)}"`);
    const status = Number(m[2]);
    if (status >= 100 && status < 200 && status !== 101) return false;
    const headers: string[] = [];
    let length = -1;
    let chunked = false;
    let close = m[1] === '0';
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i];
      const c = line.indexOf(':');
      if (c <= 0) continue;
      const name = line.slice(0, c).trim();
      const value = line.slice(c + 1).trim();
      headers.push(name, value);
      switch (name.length) {
        case 10:
          if (name.toLowerCase() === 'connection') {
            const v = value.toLowerCase();
            if (v.includes('close')) close = true;
            else if (v.includes('keep-alive')) close = false;
          }
          break;
        case 14:
          if (name.toLowerCase() === 'content-length') length = Number(value);
          break;
        case 17:
          if (name.toLowerCase() === 'transfer-encoding') chunked = value.toLowerCase().includes('chunked');
          break;
      }
    }
    this.head = { status, statusText: m[3] ?? '', headers };
    if (close) this.reusable = false;
    // No body: a HEAD, a 204 or 304, and a 2xx to CONNECT (the tunnel starts right after its head).
    const tunnel = this.method === 'CONNECT' && status >= 200 && status < 300;
    if (this.method === 'HEAD' || status === 204 || status === 304 || tunnel) this.kind = Body.None;
    else if (chunked) {
      this.kind = Body.Chunked;
      this.chunk = Chunk.Size;
    } else if (length >= 0 && Number.isSafeInteger(length)) {
      this.kind = Body.Length;
      this.remaining = length;
    } else if (Number.isNaN(length)) {
      throw new ParseError('invalid Content-Length');
    } else {
      this.kind = Body.UntilClose;
      this.reusable = false;
    }
    if (this.kind === Body.None || (this.kind === Body.Length && length === 0)) this.complete = true;
    return true;
  }

  private body(d: Buffer): void {
    switch (this.kind) {
      case Body.Length: {
        if (d.length > this.remaining) {
          this.reusable = false;
          d = d.subarray(0, this.remaining);
        }
        if (d.length) this.parts.push(d);
        this.remaining -= d.length;
        if (this.remaining === 0) this.complete = true;
        return;
      }
      case Body.UntilClose:
        if (d.length) this.parts.push(d);
        return;
      case Body.Chunked:
        this.chunked(d);
    }
  }

  private chunked(d: Buffer): void {
    let i = 0;
    while (i < d.length && !this.complete) {
      if (this.chunk !== Chunk.Data) {
        const buf = this.upTo(d.subarray(i), CRLF, 'chunk header');
        if (!buf) return;
        const nl = this.at;
        const line = buf.toString('latin1', 0, nl);
        d = buf;
        i = nl + 2;
        if (this.chunk === Chunk.DataEnd) {
          if (line !== '') throw new ParseError('malformed chunked encoding');
          this.chunk = Chunk.Size;
        } else if (this.chunk === Chunk.Trailer) {
          if (line === '') {
            this.complete = true;
            if (i < d.length) this.reusable = false;
          }
        } else {
          const size = parseInt(line, 16);
          if (!/^[0-9a-fA-F]+/.test(line) || !Number.isSafeInteger(size))
            throw new ParseError('malformed chunked encoding');
          if (size === 0) this.chunk = Chunk.Trailer;
          else {
            this.chunk = Chunk.Data;
            this.remaining = size;
          }
        }
        continue;
      }
      const take = Math.min(this.remaining, d.length - i);
      this.parts.push(d.subarray(i, i + take));
      this.remaining -= take;
      i += take;
      if (this.remaining === 0) this.chunk = Chunk.DataEnd;
    }
  }
}
