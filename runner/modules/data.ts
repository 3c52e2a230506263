// `k6/data`: SharedArray. The elements live once per thread on the host, as JSON strings; each index
// read parses a fresh, frozen copy, as k6 does.
export const dataSource = /* js */ `
const k6 = globalThis.__k6;

function deepFreeze(o) {
  if (o && typeof o === 'object') { Object.freeze(o); for (const k in o) deepFreeze(o[k]); }
  return o;
}

export class SharedArray {
  constructor(name, fn) {
    k6.initOnly('new SharedArray');
    if (typeof fn !== 'function') throw new TypeError('a function is expected as the second argument of SharedArray');
    name = String(name);
    let length = k6.host.sharedLength(name);
    if (length < 0) {
      const arr = fn();
      if (!Array.isArray(arr)) throw new TypeError('only arrays can be made into SharedArray');
      if (arr && typeof arr.then === 'function') throw new TypeError('SharedArray constructor does not support async functions');
      length = k6.host.sharedStore(name, JSON.stringify(arr.map((x) => (x === undefined ? null : x))));
    }
    const target = [];
    const get = (i) => deepFreeze(JSON.parse(k6.host.sharedGet(name, i)));
    return new Proxy(target, {
      get(t, prop) {
        if (prop === 'length') return length;
        if (typeof prop === 'string' && /^\\d+$/.test(prop)) {
          const i = Number(prop);
          return i < length ? get(i) : undefined;
        }
        if (prop === Symbol.iterator) {
          return function* () { for (let i = 0; i < length; i++) yield get(i); };
        }
        if (typeof Array.prototype[prop] === 'function') {
          return function () {
            const copy = [];
            for (let i = 0; i < length; i++) copy.push(get(i));
            return copy[prop].apply(copy, arguments);
          };
        }
        return undefined;
      },
      has(t, prop) { return typeof prop === 'string' && /^\\d+$/.test(prop) ? Number(prop) < length : prop in t; },
      set() { throw new TypeError('SharedArray is immutable'); },
      defineProperty() { throw new TypeError('SharedArray is immutable'); },
      deleteProperty() { throw new TypeError('SharedArray is immutable'); },
    });
  }
}
export default { SharedArray };
`;
