// `k6`: check, group, sleep, fail, randomSeed, kept inside the VM so check/group never cross to the host.
export const k6Source = /* js */ `
const k6 = globalThis.__k6;
const state = k6.state;

export function check(val, sets, tags) {
  k6.notInInit('Using check()');
  let all = true;
  for (const name of Object.keys(sets || {})) {
    const cond = sets[name];
    const sampleTags = k6.withTag(k6.tagsJSON(tags), 'check', name);
    let ok;
    try {
      ok = typeof cond === 'function' ? !!cond(val) : !!cond;
    } catch (e) {
      k6.emitJSON('checks', 0, sampleTags);
      throw e;
    }
    k6.emitJSON('checks', ok ? 1 : 0, sampleTags);
    if (!ok) all = false;
  }
  return all;
}

export function group(name, fn) {
  k6.notInInit('Using group()');
  name = String(name);
  if (name.indexOf('::') >= 0) throw new Error('group and check names may not contain "::"');
  if (typeof fn !== 'function') throw new TypeError('group() requires a callback as its second argument');
  if (fn.constructor && fn.constructor.name === 'AsyncFunction') {
    throw new Error('group() does not support async functions as arguments');
  }
  const parent = state.group;
  state.group = parent + '::' + name;
  k6.tagsChanged();
  const start = Date.now();
  try {
    return fn();
  } finally {
    const tags = k6.tagsJSON();
    state.group = parent;
    k6.tagsChanged();
    k6.emitJSON('group_duration', Date.now() - start, tags);
  }
}

export function sleep(seconds) {
  const ms = Number(seconds) * 1000;
  if (k6.host.sleep(ms > 0 ? ms : 0, k6.takeSamples())) k6.interrupted();
}

export function fail(msg) {
  const e = new Error(msg === undefined ? '' : String(msg));
  e.name = 'GoError';
  throw e;
}

export function randomSeed(seed) {
  let s = Number(seed) >>> 0;
  // mulberry32: small, fast and good enough for test data.
  Math.random = function () {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export default { check, group, sleep, fail, randomSeed };
`;
