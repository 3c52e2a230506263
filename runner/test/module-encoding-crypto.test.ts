import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { runIterations } from './vu-harness.ts';

test('b64encode/b64decode in the four k6 variants', async () => {
  const out = await runIterations(`import encoding from 'k6/encoding';
    export default function () {
      const s = 'hi?>';
      console.log(JSON.stringify([encoding.b64encode(s), encoding.b64encode(s, 'rawstd'), encoding.b64encode(s, 'url'),
        encoding.b64encode(s, 'rawurl'), encoding.b64decode('aGk/Pg==', 'std', 's'), encoding.b64decode('aGk_Pg', 'rawurl', 's'),
        encoding.b64decode('aGk/Pg==').byteLength]));
      try { encoding.b64decode('***'); } catch (e) { console.log('invalid'); }
    }`);
  assert.deepEqual(JSON.parse(out.logs[0].msg), [
    'aGk/Pg==',
    'aGk/Pg',
    'aGk_Pg==',
    'aGk_Pg',
    'hi?>',
    'hi?>',
    4,
  ]);
  assert.equal(out.logs[1].msg, 'invalid');
});

test('hashes and HMAC match node:crypto; randomBytes has the asked length', async () => {
  const out = await runIterations(`import crypto from 'k6/crypto';
    export default function () {
      const h = crypto.createHash('sha1'); h.update('ab'); h.update('c');
      console.log(JSON.stringify([crypto.sha256('abc', 'hex'), crypto.md5('abc', 'base64'), crypto.hmac('sha256', 'key', 'abc', 'hex'),
        h.digest('hex'), crypto.sha512_256('abc', 'hex'), crypto.randomBytes(16).byteLength, crypto.sha256('abc', 'binary').byteLength]));
    }`);
  const node = (alg: string, enc: 'hex' | 'base64') => crypto.createHash(alg).update('abc').digest(enc);
  assert.deepEqual(JSON.parse(out.logs[0].msg), [
    node('sha256', 'hex'),
    node('md5', 'base64'),
    crypto.createHmac('sha256', 'key').update('abc').digest('hex'),
    node('sha1', 'hex'),
    node('sha512-256', 'hex'),
    16,
    32,
  ]);
});

test('md4 and HMAC-MD4 (not in OpenSSL 3) match RFC 1320 and RFC 2104', async () => {
  const out = await runIterations(`import crypto from 'k6/crypto';
    export default function () {
      console.log(JSON.stringify([crypto.md4('', 'hex'), crypto.md4('abc', 'hex'),
        crypto.md4('12345678901234567890123456789012345678901234567890123456789012345678901234567890', 'hex'),
        crypto.hmac('md4', 'key', 'The quick brown fox jumps over the lazy dog', 'hex')]));
    }`);
  assert.deepEqual(JSON.parse(out.logs[0].msg), [
    '31d6cfe0d16ae931b73c59d7e0c089c0',
    'a448017aaf21d8525fc10ae87aa6729d',
    'e33b4ddc9c38f2199c3e7b164fcc0536',
    '8d3366c440a9c65124ab0b5f4ca27338',
  ]);
});
