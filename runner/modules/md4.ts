// MD4 (RFC 1320) for k6/crypto's md4: OpenSSL 3, under Node 20, no longer provides it.
export class Md4 {
  private chunks: Buffer[] = [];

  update(data: Buffer): this {
    this.chunks.push(data);
    return this;
  }

  digest(): Buffer {
    const msg = Buffer.concat(this.chunks);
    const bitLen = msg.length * 8;
    const padLen = ((msg.length + 8) >> 6) * 64 + 64 - msg.length;
    const buf = Buffer.alloc(msg.length + padLen);
    msg.copy(buf);
    buf[msg.length] = 0x80;
    buf.writeUInt32LE(bitLen >>> 0, buf.length - 8);
    buf.writeUInt32LE(Math.floor(bitLen / 2 ** 32), buf.length - 4);
    let [a, b, c, d] = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476];
    const rotl = (x: number, n: number) => (x << n) | (x >>> (32 - n));
    const x = new Array<number>(16);
    for (let off = 0; off < buf.length; off += 64) {
      for (let i = 0; i < 16; i++) x[i] = buf.readUInt32LE(off + i * 4);
      const [aa, bb, cc, dd] = [a, b, c, d];
      const f = (p: number, q: number, r: number) => (p & q) | (~p & r);
      const g = (p: number, q: number, r: number) => (p & q) | (p & r) | (q & r);
      const h = (p: number, q: number, r: number) => p ^ q ^ r;
      for (const i of [0, 4, 8, 12]) {
        a = rotl((a + f(b, c, d) + x[i]) | 0, 3);
        d = rotl((d + f(a, b, c) + x[i + 1]) | 0, 7);
        c = rotl((c + f(d, a, b) + x[i + 2]) | 0, 11);
        b = rotl((b + f(c, d, a) + x[i + 3]) | 0, 19);
      }
      for (const i of [0, 1, 2, 3]) {
        a = rotl((a + g(b, c, d) + x[i] + 0x5a827999) | 0, 3);
        d = rotl((d + g(a, b, c) + x[i + 4] + 0x5a827999) | 0, 5);
        c = rotl((c + g(d, a, b) + x[i + 8] + 0x5a827999) | 0, 9);
        b = rotl((b + g(c, d, a) + x[i + 12] + 0x5a827999) | 0, 13);
      }
      for (const i of [0, 2, 1, 3]) {
        a = rotl((a + h(b, c, d) + x[i] + 0x6ed9eba1) | 0, 3);
        d = rotl((d + h(a, b, c) + x[i + 8] + 0x6ed9eba1) | 0, 9);
        c = rotl((c + h(d, a, b) + x[i + 4] + 0x6ed9eba1) | 0, 11);
        b = rotl((b + h(c, d, a) + x[i + 12] + 0x6ed9eba1) | 0, 15);
      }
      a = (a + aa) | 0;
      b = (b + bb) | 0;
      c = (c + cc) | 0;
      d = (d + dd) | 0;
    }
    const out = Buffer.alloc(16);
    [a, b, c, d].forEach((v, i) => out.writeInt32LE(v, i * 4));
    return out;
  }
}

/** HMAC (RFC 2104) over MD4, 64-byte blocks. */
export class HmacMd4 {
  private inner = new Md4();
  private outerKey: Buffer;

  constructor(key: Buffer) {
    const k = Buffer.alloc(64);
    (key.length > 64 ? new Md4().update(key).digest() : key).copy(k);
    this.inner.update(Buffer.from(k.map((v) => v ^ 0x36)));
    this.outerKey = Buffer.from(k.map((v) => v ^ 0x5c));
  }

  update(data: Buffer): this {
    this.inner.update(data);
    return this;
  }

  digest(): Buffer {
    return new Md4().update(this.outerKey).update(this.inner.digest()).digest();
  }
}
