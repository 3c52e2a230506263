// Node flags the runner wants at process start: V8 11 (Node 20) has the early stack-switching API that
// lets VU threads run QuickJS's synchronous build (runner/vu/engine-jspi.ts); V8 takes the flag only
// at start-up. Elsewhere the flag means something else or nothing, and the runner uses asyncify.
export const runnerNodeFlags =
  Number(process.versions.v8.split('.')[0]) === 11 ? ['--experimental-wasm-stack-switching'] : [];
