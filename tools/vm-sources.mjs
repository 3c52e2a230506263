// An esbuild plugin for the runner's bundles: the JavaScript each VU's VM evaluates (runner/modules/*.ts,
// one `export const xSource = /* js */ `...`` per file) enters the bundle minified. QuickJS keeps a copy
// of every function's source text (for Function.prototype.toString) and every local name as an atom,
// in each VM: minified, a VM holds ~9 KB less (BENCHMARKS.md). The VM code stays readable in the
// repository and unchanged when run from source (tsx).
import { readFile } from 'node:fs/promises';
import { transform } from 'esbuild';

const SOURCE = /^export const (\w+Source) = \/\* js \*\/ `/m;

/** The value of the module's one exported string, or null when the file is not a VM source module. */
async function sourceValue(file, text) {
  const m = SOURCE.exec(text);
  if (!m || /^import /m.test(text)) return null;
  const { code } = await transform(text, { loader: 'ts', format: 'esm' });
  const mod = await import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`);
  const value = mod[m[1]];
  if (Object.keys(mod).length !== 1 || typeof value !== 'string') {
    throw new Error(`${file}: a VM source module exports one string, ${m[1]}, and nothing else`);
  }
  return { name: m[1], value };
}

export const minifyVMSources = {
  name: 'minify-vm-sources',
  setup(b) {
    b.onLoad({ filter: /[\\/]runner[\\/]modules[\\/][\w-]+\.ts$/ }, async (args) => {
      const text = await readFile(args.path, 'utf8');
      const src = await sourceValue(args.path, text);
      if (!src) return undefined;
      // es2020: nothing newer than what the VM-side code already uses (QuickJS runs ES2023).
      const { code } = await transform(src.value, {
        minifyWhitespace: true,
        minifySyntax: true,
        minifyIdentifiers: true,
        target: 'es2020',
        logLevel: 'silent',
      });
      return { contents: `export const ${src.name} = ${JSON.stringify(code)};\n`, loader: 'ts' };
    });
  },
};
