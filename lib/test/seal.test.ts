// lib/core/seal.ts with node:crypto as the HMAC: tokens round-trip under their client's secret, the
// sealed form shows neither the token nor the secret, and a wrong secret or damaged data is refused.
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { sealToken, toHex, unsealToken, type SealedToken } from '../core/seal.ts';

const hmac = (key: string, data: string) => createHmac('sha256', key).update(data).digest('hex');
const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.dG9rZW4tYm9keS1mb3ItdGhlLXNlYWwtdGVzdA.c2lnbmF0dXJl-_'; // 76 chars
const token = (accessToken = TOKEN, client = 0) => ({
  accessToken,
  client,
  expiresAt: 1_800_000_000_000,
  lifetimeMs: 86_400_000,
});

/** Four hex digits per UTF-16 code unit: how `sealed` would read without the keystream. */
const unitsHex = (s: string) => [...s].map((c) => c.charCodeAt(0).toString(16).padStart(4, '0')).join('');

describe('sealed tokens', () => {
  it('round-trip under the secret that sealed them, across several keystream blocks', () => {
    const long = TOKEN.repeat(5); // 380 code units: 24 HMAC blocks of 16 units
    for (const t of ['', 'x', TOKEN, long, 'ünïcødé ✓ token']) {
      const s = sealToken(token(t), 'demo-secret', 'a1b2c3', hmac);
      assert.equal(s.sealed.length, t.length * 4);
      assert.equal(unsealToken(s, 'demo-secret', hmac), t);
    }
  });

  it('keep expiry and client in the clear and nothing of the token or the secret', () => {
    const s = sealToken(token(TOKEN, 1), 'second-secret-123', toHex(randomBytes(16)), hmac);
    assert.deepEqual(
      { client: s.client, expiresAt: s.expiresAt, lifetimeMs: s.lifetimeMs },
      { client: 1, expiresAt: 1_800_000_000_000, lifetimeMs: 86_400_000 },
    );
    const json = JSON.stringify(s);
    assert.ok(!json.includes(TOKEN) && !json.includes('second-secret-123'));
    // The XOR did happen: the token's own code units, hex-encoded as `sealed` is, are absent too.
    assert.ok(!json.includes(unitsHex(TOKEN.slice(0, 8))));
    assert.match(s.sealed, /^[0-9a-f]+$/);
  });

  it('is the XOR with HMAC-SHA256(secret, "nonce:client:block"), two bytes per code unit', () => {
    const s = sealToken(token('AB'), 'k', 'n0', hmac);
    const block = Buffer.from(hmac('k', 'n0:0:0'), 'hex');
    const want = [0x41 ^ block.readUInt16BE(0), 0x42 ^ block.readUInt16BE(2)]
      .map((u) => u.toString(16).padStart(4, '0'))
      .join('');
    assert.equal(s.sealed, want);
    assert.equal(s.tag, hmac('k', `tag:n0:0:${want}`).slice(0, 16));
  });

  it('differ per nonce and per client, so no keystream is reused', () => {
    const a = sealToken(token(), 's', 'n1', hmac).sealed;
    assert.notEqual(sealToken(token(), 's', 'n2', hmac).sealed, a);
    assert.notEqual(sealToken(token(TOKEN, 1), 's', 'n1', hmac).sealed, a);
    assert.equal(sealToken(token(), 's', 'n1', hmac).sealed, a);
  });

  it('refuse another secret, a damaged token and a missing nonce with one line', () => {
    const s = sealToken(token(), 'demo-secret', 'n1', hmac);
    assert.throws(
      () => unsealToken(s, 'other-secret', hmac),
      /^Error: the token of OAuth client 1 was sealed with another client secret than this VU has$/,
    );
    const flipped = (s.sealed[0] === '0' ? '1' : '0') + s.sealed.slice(1);
    assert.throws(() => unsealToken({ ...s, sealed: flipped }, 'demo-secret', hmac), /another client secret/);
    assert.throws(() => unsealToken({ ...s, sealed: 'xyz!' }, 'demo-secret', hmac), /no sealed token/);
    assert.throws(() => unsealToken(undefined as unknown as SealedToken, 'x', hmac), /no sealed token/);
    assert.throws(() => sealToken(token(), 'demo-secret', '', hmac), /needs a nonce/);
    assert.throws(() => sealToken(token(), 'k', 'n', () => 'not hex'), /did not return hex/);
  });

  it('hex-encode random bytes as k6/crypto hands them over (an ArrayBuffer)', () => {
    assert.equal(toHex(new Uint8Array([0, 15, 16, 255]).buffer), '000f10ff');
    assert.equal(toHex(new Uint8Array([])), '');
  });
});
