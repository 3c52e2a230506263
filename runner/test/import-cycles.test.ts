// runner/'s modules import one another in one direction (VUs -> samples -> metrics engine -> outputs and
// summary): a circle, type-only ones included, means two parts each depend on the other's insides.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

// Static `import ... from`, `export ... from`, side-effect imports and literal dynamic imports.
const SPECIFIER =
  /(?:^|[\s;])(?:import|export)\s(?:[^'";]*?\sfrom\s)?\s*['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;

function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) {
      if (name !== 'node_modules' && name !== 'fixtures') sources(p, out);
    } else if (name.endsWith('.ts')) out.push(p);
  }
  return out;
}

function stripComments(src: string): string {
  return src.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

export function importGraph(files: string[]): Map<string, string[]> {
  const known = new Set(files);
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const deps: string[] = [];
    for (const m of stripComments(readFileSync(file, 'utf8')).matchAll(SPECIFIER)) {
      const spec = m[1] ?? m[2];
      if (!spec.startsWith('.')) continue;
      const target = path.resolve(path.dirname(file), spec);
      if (known.has(target)) deps.push(target);
    }
    graph.set(file, deps);
  }
  return graph;
}

/** Every strongly connected group of more than one module, or a module importing itself. */
export function cycles(graph: Map<string, string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const group: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      group.push(w);
    } while (w !== v);
    if (group.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(group.sort());
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

test('the cycle finder sees a two-module circle, a longer one, and none in a chain', () => {
  const g = (edges: Record<string, string[]>) => new Map(Object.entries(edges));
  assert.deepEqual(cycles(g({ a: ['b'], b: ['a'], c: ['a'] })), [['a', 'b']]);
  assert.deepEqual(cycles(g({ a: ['b'], b: ['c'], c: ['a'] })), [['a', 'b', 'c']]);
  assert.deepEqual(cycles(g({ a: ['b'], b: ['c'], c: [] })), []);
});

test('the import reader follows type-only, re-exporting and multi-line imports', () => {
  const graph = importGraph(sources(ROOT));
  const deps = (f: string) => (graph.get(path.join(ROOT, f)) ?? []).map((p) => path.relative(ROOT, p));
  assert.ok(deps('modules/http2.ts').includes('modules/http-types.ts'));
  assert.ok(deps('modules/http1.ts').includes('modules/http2.ts'));
  assert.ok(deps('metrics/engine.ts').includes('thresholds.ts'));
  assert.ok(deps('summary/data.ts').includes('metrics/engine.ts'));
});

test("runner/'s modules import one another without a circle", () => {
  const found = cycles(importGraph(sources(ROOT)));
  const named = found.map((group) => group.map((p) => path.relative(ROOT, p)).join(' <-> '));
  assert.deepEqual(named, []);
});
