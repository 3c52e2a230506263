// Suspending host functions are called straight from QuickJS's C callback (vu/vm.ts): what crosses,
// both ways, must be what the library's own path would give.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VM } from '../vu/vm.ts';

test('a suspending host call: string arguments in, every result type out, a rejection thrown in the VM', async () => {
  const seen: unknown[][] = [];
  const vm = await VM.create({
    sync: { log: () => undefined, define: () => '' },
    async: {
      echo: async (...args) => {
        seen.push(args);
        await new Promise((r) => setTimeout(r, 1));
        const [kind, text] = args as string[];
        if (kind === 'string') return 'é'.repeat(100) + text;
        if (kind === 'short') return text;
        if (kind === 'number') return 2.5;
        if (kind === 'true') return true;
        if (kind === 'false') return false;
        if (kind === 'null') return null;
        if (kind === 'bytes') return new Uint8Array([1, 2, 3]);
        if (kind === 'fail') throw new TypeError('host said no');
        if (kind === 'undefined') return undefined;
        return `${kind}:${text}`;
      },
    },
  });
  try {
    vm.prepare(1, {}, {});
    await vm.load(
      'file:///host-calls.js',
      `const h = __k6.host;
       export default function () {
         const out = [];
         out.push(h.echo('string', 'ü'));
         out.push(h.echo('short', 'x'));
         out.push(h.echo('number', ''), h.echo('true', ''), h.echo('false', ''), h.echo('null', ''));
         out.push(h.echo('undefined', '') === undefined);
         out.push(Array.from(new Uint8Array(h.echo('bytes', ''))).join(','));
         try { h.echo('fail', ''); out.push('no throw'); } catch (e) { out.push(e.name + ': ' + e.message); }
         out.push(h.echo(42, 'after'));
         return JSON.stringify(out);
       }`,
    );
    const fixed = JSON.stringify({ tags: {}, group: '', scenario: null, countIteration: true, want: 'json' });
    const verdict = await vm.run('default', fixed, '[0,0,null,0]');
    const head = JSON.parse(verdict.slice(0, verdict.indexOf('\u0001'))) as { ok: boolean; value: string };
    assert.equal(head.ok, true, verdict);
    assert.deepEqual(JSON.parse(JSON.parse(head.value) as string), [
      'é'.repeat(100) + 'ü',
      'x',
      2.5,
      true,
      false,
      null,
      true,
      '1,2,3',
      'TypeError: host said no',
      '42:after',
    ]);
    // Arguments arrive as strings, numbers included.
    assert.deepEqual(seen.at(-1), ['42', 'after']);
  } finally {
    vm.dispose();
  }
});
