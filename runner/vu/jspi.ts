// Stack switching for QuickJS's synchronous build: a VM suspends on a request the way a goroutine
// blocks, without asyncify's instrumentation, which makes every interpreted operation 2-6x slower
// (BENCHMARKS.md). Node 20's V8 has the early form of JavaScript promise integration behind
// --experimental-wasm-stack-switching: a `promising` export and `suspending` imports pass a suspender
// object as their first parameter. QuickJS's build knows nothing of it, so two small modules written
// here carry it around:
// - `shim`, given to QuickJS as its host-call import: it calls the suspending host function with the
//   running VM's suspender (kept in a global), and puts the suspender and the C stack pointer back once
//   the call resumes, since other VMs have run in between;
// - `trampoline`, one long-lived promising call per VM: it waits for a job (a QuickJS entry point and
//   its arguments in the VM's job block), runs it on the VM's own C stack, reports the result and waits
//   again. Starting a promising call allocates a machine stack (tens of microseconds); resuming a
//   suspended one costs about one.

const I32 = 0x7f;
const EXTERNREF = 0x6f;
const FUNCREF = 0x70;

function leb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
}
const vec = (items: number[][]): number[] => [...leb(items.length), ...items.flat()];
const section = (id: number, body: number[]): number[] => [id, ...leb(body.length), ...body];
const name = (s: string): number[] => vec([...Buffer.from(s)].map((b) => [b]));
const functype = (params: number[], results: number[]): number[] => [
  0x60,
  ...vec(params.map((p) => [p])),
  ...vec(results.map((r) => [r])),
];
const importFunc = (m: string, f: string, type: number): number[] => [
  ...name(m),
  ...name(f),
  0x00,
  ...leb(type),
];
const importGlobal = (m: string, f: string, type: number): number[] => [
  ...name(m),
  ...name(f),
  0x03,
  type,
  1,
];
function code(locals: [number, number][], body: number[]): number[] {
  const fn = [...vec(locals.map(([n, t]) => [...leb(n), t])), ...body, 0x0b];
  return [...leb(fn.length), ...fn];
}
function wasmModule(sections: number[][]): Uint8Array {
  return new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, ...sections.flat()]);
}

const get = (i: number) => [0x20, ...leb(i)];
const set = (i: number) => [0x21, ...leb(i)];
const call = (i: number) => [0x10, ...leb(i)];
const load = (offset: number) => [0x28, 0x02, ...leb(offset)];
const I32_CONST = 0x41;

/**
 * The host-call shim: `s(ctx, this, argc, argv, magic)` as QuickJS's import expects it. Imports: j.g the
 * suspender global, j.t a table holding the instance's stackSave and stackRestore (filled in once
 * QuickJS is instantiated), j.susp the suspending host call, j.plain the same call for code running
 * outside any trampoline (no suspender: nothing can suspend).
 */
export function shimBytes(): Uint8Array {
  const types = [
    functype([I32, I32, I32, I32, I32], [I32]),
    functype([EXTERNREF, I32, I32, I32, I32, I32], [I32]),
    functype([], [I32]),
    functype([I32], []),
  ];
  const args = [0, 1, 2, 3, 4].flatMap(get);
  const SV = 5;
  const SP = 6;
  const body = [
    ...[0x23, 0], // global.get suspender
    ...[0x22, SV], // local.tee
    0xd1, // ref.is_null
    ...[0x04, I32], // if (result i32)
    ...args,
    ...call(1), // plain
    0x05, // else
    ...[I32_CONST, 0, 0x11, 2, 0], // call_indirect stackSave
    ...set(SP),
    ...get(SV),
    ...args,
    ...call(0), // susp
    ...get(SV),
    ...[0x24, 0], // global.set suspender: this VM's again
    ...get(SP),
    ...[I32_CONST, 1, 0x11, 3, 0], // call_indirect stackRestore
    0x0b,
  ];
  return wasmModule([
    section(1, vec(types)),
    section(
      2,
      vec([
        importGlobal('j', 'g', EXTERNREF),
        [...name('j'), ...name('t'), 0x01, FUNCREF, 0x00, 2],
        importFunc('j', 'susp', 1),
        importFunc('j', 'plain', 0),
      ]),
    ),
    section(3, vec([[0]])),
    section(7, vec([[...name('s'), 0x00, 2]])),
    section(
      10,
      vec([
        code(
          [
            [1, EXTERNREF],
            [1, I32],
          ],
          body,
        ),
      ]),
    ),
  ]);
}

/** Job kinds, the first word of a VM's job block; the arguments follow, then the VM's stack top. */
export const JOB = { call: 1, pendingJob: 2, eval: 3 } as const;
export const JOB_BYTES = 32;
const TOP = 28;

/**
 * The trampoline: `run(suspender, job)` loops on j.next(job) (suspending; 0 ends it), runs the job on
 * its stack and hands the result to j.done(job, result). Imports QuickJS's QTS_Call,
 * QTS_ExecutePendingJob, QTS_Eval, stackSave, stackRestore and its memory.
 */
export function trampolineBytes(): Uint8Array {
  const types = [
    functype([EXTERNREF, I32], []), // 0 run
    functype([EXTERNREF, I32], [I32]), // 1 next
    functype([I32, I32], []), // 2 done
    functype([I32, I32, I32, I32, I32], [I32]), // 3 QTS_Call
    functype([I32, I32, I32], [I32]), // 4 QTS_ExecutePendingJob
    functype([I32, I32, I32, I32, I32, I32], [I32]), // 5 QTS_Eval
    functype([], [I32]), // 6 stackSave
    functype([I32], []), // 7 stackRestore
  ];
  const [S, JOBP, OUTER, R] = [0, 1, 2, 3];
  const F = { next: 0, done: 1, call: 2, pending: 3, eval: 4, save: 5, restore: 6 };
  const arg = (i: number) => [...get(JOBP), ...load(4 + 4 * i)];
  const kindIs = (k: number) => [...get(JOBP), ...load(0), I32_CONST, k, 0x46];
  const body = [
    ...[0x02, 0x40, 0x03, 0x40], // block loop
    ...get(S),
    ...get(JOBP),
    ...call(F.next),
    0x45, // i32.eqz
    ...[0x0d, 1], // br_if out
    ...get(S),
    ...[0x24, 0], // global.set suspender
    ...call(F.save),
    ...set(OUTER),
    ...get(JOBP),
    ...load(TOP),
    ...call(F.restore),
    ...kindIs(JOB.call),
    ...[0x04, I32],
    ...[0, 1, 2, 3, 4].flatMap(arg),
    ...call(F.call),
    0x05,
    ...kindIs(JOB.pendingJob),
    ...[0x04, I32],
    ...[0, 1, 2].flatMap(arg),
    ...call(F.pending),
    0x05,
    ...[0, 1, 2, 3, 4, 5].flatMap(arg),
    ...call(F.eval),
    ...[0x0b, 0x0b],
    ...set(R),
    ...get(OUTER),
    ...call(F.restore),
    ...[0xd0, EXTERNREF, 0x24, 0], // suspender = null
    ...get(JOBP),
    ...get(R),
    ...call(F.done),
    ...[0x0c, 0], // br loop
    ...[0x0b, 0x0b],
  ];
  return wasmModule([
    section(1, vec(types)),
    section(
      2,
      vec([
        importGlobal('j', 'g', EXTERNREF),
        importFunc('j', 'next', 1),
        importFunc('j', 'done', 2),
        importFunc('a', 'call', 3),
        importFunc('a', 'pending', 4),
        importFunc('a', 'eval', 5),
        importFunc('a', 'save', 6),
        importFunc('a', 'restore', 7),
        [...name('a'), ...name('mem'), 0x02, 0x00, 0x00],
      ]),
    ),
    section(3, vec([[0]])),
    section(7, vec([[...name('run'), 0x00, 7]])),
    section(10, vec([code([[2, I32]], body)])),
  ]);
}
