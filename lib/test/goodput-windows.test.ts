import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { admittedAt, windowShares, type Sample } from '../../bench/goodput-windows.ts';

describe('goodput windows', () => {
  it('interpolates the cumulative count between samples', () => {
    const s: Sample[] = [
      { t: 0, admitted: 0 },
      { t: 100, admitted: 10 },
      { t: 200, admitted: 30 },
    ];
    assert.equal(admittedAt(s, 50), 5);
    assert.equal(admittedAt(s, 150), 20);
    assert.equal(admittedAt(s, 500), 30);
    assert.equal(admittedAt(s, -5), 0);
  });

  it('counts complete windows from the first admission', () => {
    // Idle until t=1000, then 3 admissions per 100 ms for 2.5 s: windows of 1 s hold 30.
    const s: Sample[] = [];
    for (let t = 0; t <= 3500; t += 100)
      s.push({ t, admitted: t <= 1000 ? 0 : Math.min(75, ((t - 1000) / 100) * 3) });
    assert.deepEqual(windowShares(s, 1000, 30), [1, 1]);
    assert.deepEqual(windowShares(s, 1000, 60), [0.5, 0.5]);
  });

  it('has no windows without admissions', () => {
    assert.deepEqual(windowShares([{ t: 0, admitted: 0 }], 1000, 10), []);
  });
});
