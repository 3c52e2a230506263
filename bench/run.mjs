// `make bench BENCH=<name>`: runs one benchmark with the command BENCHMARKS.md records for it.
import { spawnSync } from 'node:child_process';
import { runnerNodeFlags } from '../bin/runner-flags.mjs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const benches = {
  'runner-memory': ['--expose-gc', '--import', 'tsx', 'bench/runner-memory.ts'],
  'runner-throughput': ['--import', 'tsx', 'bench/runner-throughput.ts'],
  'runner-vus': ['--import', 'tsx', 'bench/runner-vus.ts'],
  'runner-arrival-rate': ['--import', 'tsx', 'bench/runner-arrival-rate.ts'],
  'runner-vs-k6-scale': ['--import', 'tsx', 'bench/runner-vs-k6-scale.ts'],
  emulator: ['--import', 'tsx', 'bench/emulator.ts'],
  'emulator-ws': ['--import', 'tsx', 'bench/emulator-ws.ts'],
  'web-messaging-guests': ['--import', 'tsx', 'bench/web-messaging-guests.ts'],
  goodput: ['--import', 'tsx', 'bench/goodput.ts'],
};

const [name, ...rest] = process.argv.slice(2);
if (!name || !benches[name]) {
  if (name) console.error(`unknown benchmark "${name}"`);
  console.error(`usage: make bench BENCH=<${Object.keys(benches).join('|')}> (see BENCHMARKS.md)`);
  process.exit(name ? 2 : 0);
}
const r = spawnSync(process.execPath, [...runnerNodeFlags, ...benches[name], ...rest], {
  cwd: root,
  stdio: 'inherit',
});
process.exit(r.status ?? 1);
