// The operations the QuickJS benchmarks time inside a VM, in µs each: one script, so their builds compare alike.
export const OPS = `(() => {
  const time = (n, f) => { const t0 = Date.now(); f(n); return ((Date.now() - t0) * 1000) / n; };
  const head = '[200,"200 OK","HTTP/1.1","http://127.0.0.1:1/","",0,0,"t",120,150,300]';
  class R { constructor(a) { this.a = a; this.b = a; this.c = a; this.d = a; this.e = a; this.f = a; this.g = a; this.h = a; } }
  function f(x) { return x + 1; }
  return JSON.stringify({
    'empty loop iteration': time(2000000, (n) => { for (let i = 0; i < n; i++) {} }),
    'function call': time(1000000, (n) => { for (let i = 0; i < n; i++) f(i); }),
    'JSON.parse of an 11-item array': time(100000, (n) => { for (let i = 0; i < n; i++) JSON.parse(head); }),
    'new object, 8 fields': time(200000, (n) => { for (let i = 0; i < n; i++) new R(i); }),
  });
})()`;
