// __ENV on its way to a VM. A scenario without `env` of its own runs with the run's environment, which
// holds the whole process environment (k6's default): the pool leaves it out of its messages and the VU
// out of what crosses into the VM, each side keeping the one copy it was started with.

/** Whether two env objects hold the same names and values. */
export function sameEntries(a: Record<string, string>, b: Record<string, string>): boolean {
  if (a === b) return true;
  let n = 0;
  for (const k in a) {
    if (a[k] !== b[k] || !Object.hasOwn(b, k)) return false;
    n++;
  }
  for (const _ in b) n--;
  return n === 0;
}

/** `sameEntries(env, base)`, remembered for each env object (an executor passes one for all its VUs). */
export class SameEnv {
  private static bases = new WeakMap<object, SameEnv>();
  private seen = new WeakMap<object, boolean>();
  private constructor(private base: Record<string, string>) {}

  /** One for each base: a thread's VUs all start from the same env object. */
  static of(base: Record<string, string>): SameEnv {
    let s = SameEnv.bases.get(base);
    if (!s) SameEnv.bases.set(base, (s = new SameEnv(base)));
    return s;
  }

  is(env: Record<string, string>): boolean {
    let same = this.seen.get(env);
    if (same === undefined) this.seen.set(env, (same = sameEntries(env, this.base)));
    return same;
  }
}
