// `k6/crypto`: hashes, HMAC, random bytes. Each call is one host leaf; streaming hashers keep their
// state on the host under a numeric id.
export const cryptoSource = /* js */ `
const k6 = globalThis.__k6;
const host = k6.host;
const ALGS = ['md4', 'md5', 'sha1', 'sha256', 'sha384', 'sha512', 'sha512_224', 'sha512_256', 'ripemd160'];

function bytes(x) { return x instanceof ArrayBuffer ? x : ArrayBuffer.isView(x) ? x.buffer : String(x); }

class Hasher {
  constructor(alg, key) { this.id = host.hashNew(alg, key === undefined ? '' : bytes(key), key !== undefined); }
  update(data) { host.hashUpdate(this.id, bytes(data)); return this; }
  digest(enc) { return host.hashDigest(this.id, enc || 'binary'); }
}

export function createHash(alg) { return new Hasher(String(alg)); }
export function createHMAC(alg, secret) { return new Hasher(String(alg), secret); }
export function hmac(alg, secret, data, enc) { return createHMAC(alg, secret).update(data).digest(enc); }
export function randomBytes(n) { return host.randomBytes(Number(n)); }
export function hexEncode(data) { return host.hexEncode(bytes(data)); }

const named = {};
for (const alg of ALGS) named[alg] = (input, enc) => createHash(alg).update(input).digest(enc);
export const md4 = named.md4, md5 = named.md5, sha1 = named.sha1, sha256 = named.sha256;
export const sha384 = named.sha384, sha512 = named.sha512, sha512_224 = named.sha512_224;
export const sha512_256 = named.sha512_256, ripemd160 = named.ripemd160;
export default Object.assign({ createHash, createHMAC, hmac, randomBytes, hexEncode }, named);
`;
