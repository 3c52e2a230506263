// Node flags the runner wants at process start: V8 11 (Node 20) has the early stack-switching API that
// lets VU threads run QuickJS's synchronous build (runner/vu/engine-jspi.ts); V8 takes the flag only
// at start-up. Elsewhere the flag means something else or nothing, and the runner uses asyncify.
export const runnerNodeFlags =
  Number(process.versions.v8.split('.')[0]) === 11 ? ['--experimental-wasm-stack-switching'] : [];

// glibc's allocator settings the runner wants, read only at process start: one arena for all threads
// (per-thread arenas held 5-6 MB of freed memory apart with 200 busy VUs) and allocations from 16 KB
// on mapped apart (else glibc keeps the ~66 MB V8's optimising compiler takes for QuickJS's
// interpreter), at no measured CPU cost (BENCHMARKS.md).
const ALLOCATOR = { MALLOC_MMAP_THRESHOLD_: '16384', MALLOC_ARENA_MAX: '1' };

/** The allocator settings, each one `env` already sets kept as it is. */
export function runnerAllocatorEnv(env = process.env) {
  return Object.fromEntries(Object.entries(ALLOCATOR).map(([k, v]) => [k, env[k] ?? v]));
}
