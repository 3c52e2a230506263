// `k6/http` inside the VM: argument handling, tags, the response callback and the Response object.
// A request crosses to the host once: one JSON object out, one JSON string back.
export const httpSource = /* js */ `
const k6 = globalThis.__k6;
const state = k6.state;
const host = k6.host;

function expectedStatuses() {
  const ranges = [];
  for (let i = 0; i < arguments.length; i++) {
    const a = arguments[i];
    if (typeof a === 'number' && Number.isInteger(a)) ranges.push([a, a]);
    else if (a && typeof a === 'object' && Number.isInteger(a.min) && Number.isInteger(a.max)) ranges.push([a.min, a.max]);
    else {
      throw new Error('argument number ' + (i + 1) + ' to expectedStatuses was neither an integer nor an object like {min:100, max:200}');
    }
  }
  return Object.freeze({ __expected: ranges, __json: JSON.stringify(ranges) });
}
let responseCallback = expectedStatuses({ min: 200, max: 399 });
function checkCallback(cb) {
  if (cb === null) return null;
  if (cb && cb.__expected) return cb;
  throw new Error('unsupported response callback: only http.expectedStatuses() results are accepted');
}
function setResponseCallback(cb) { responseCallback = checkCallback(cb); }

class URLTemplate {
  constructor(name, url) { this.name = name; this.url = url; }
  toString() { return this.url; }
}
function url(strings) {
  let name = strings[0], u = strings[0];
  for (let i = 1; i < strings.length; i++) { name += '\${}' + strings[i]; u += String(arguments[i]) + strings[i]; }
  return new URLTemplate(name, u);
}

function file(data, filename, contentType) {
  return { __file: true, data, filename: filename === undefined ? 'file' : String(filename), content_type: contentType || 'application/octet-stream' };
}

const UNITS = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60000, h: 3600000, d: 86400000 };
function duration(v) {
  if (typeof v === 'number') return v;
  const s = String(v).trim();
  if (/^\\d+(\\.\\d+)?$/.test(s)) return Number(s);
  let total = 0, rest = s;
  const re = /^(\\d+(?:\\.\\d+)?)(ns|us|µs|ms|s|m|h|d)/;
  while (rest.length) {
    const m = re.exec(rest);
    if (!m) throw new Error('invalid duration "' + s + '"');
    total += Number(m[1]) * UNITS[m[2]];
    rest = rest.slice(m[0].length);
  }
  return total;
}

function escapeForm(s) { return encodeURIComponent(s).replace(/%20/g, '+').replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase()); }

function hasHeader(headers, name) {
  const lower = name.toLowerCase();
  for (const k in headers) if (k.toLowerCase() === lower) return true;
  return false;
}

// The request crosses as JSON text (a WireRequest), written here by hand: QuickJS's JSON.stringify
// costs about a microsecond per value, more than the rest of a request's preparation. Fields a
// plain request leaves unset are written by JSON.stringify only when present.
const METHODS = Object.create(null);
for (const m of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']) METHODS[m] = '"' + m + '"';
let lastURL = null;
let lastURLJSON = '';

// The last plain request (a URL string, no body, no params) and its text: made again only when the
// method, URL, tags, response callback or throw option differ.
let plain = null;
function prepare(method, target, body, params) {
  if (state.init) k6.notInInit('Making http requests');
  const isPlain = params === undefined && (body === null || body === undefined) && typeof target === 'string';
  if (isPlain) {
    const p = plain;
    const tags = k6.tagsJSON(undefined);
    if (p !== null && p.method === method && p.url === target && p.tags === tags && p.cb === responseCallback && p.throws === state.throwErrors) return p.text;
    const text = prepareText(method, target, body, params);
    plain = { method, url: target, tags, cb: responseCallback, throws: state.throwErrors, text };
    return text;
  }
  return prepareText(method, target, body, params);
}

function prepareText(method, target, body, params) {
  let u = target, nameTag;
  if (target instanceof URLTemplate) { u = target.url; nameTag = target.name; }
  if (typeof u !== 'string') u = String(u);
  if (METHODS[method] === undefined) method = String(method).toUpperCase();
  let headers = null;
  if (params && params.headers) {
    headers = {};
    for (const k in params.headers) headers[k] = String(params.headers[k]);
  }
  let extra = null;
  if (body !== undefined && body !== null && method !== 'GET' && method !== 'HEAD') {
    extra = {};
    if (typeof body === 'string') extra.body = body;
    else if (body instanceof ArrayBuffer || ArrayBuffer.isView(body)) extra.bodyB64 = host.b64encode(body instanceof ArrayBuffer ? body : body.buffer, 'std');
    else if (typeof body === 'object') {
      const keys = Object.keys(body).sort();
      if (keys.some((k) => body[k] && body[k].__file)) {
        extra.multipart = keys.map((k) => {
          const v = body[k];
          if (v && v.__file) {
            const data = v.data instanceof ArrayBuffer ? host.b64encode(v.data, 'std') : host.b64encode(String(v.data), 'std');
            return { name: k, filename: v.filename, contentType: v.content_type, dataB64: data };
          }
          return { name: k, value: String(v) };
        });
      } else {
        extra.body = keys.map((k) => escapeForm(k) + '=' + escapeForm(String(body[k]))).join('&');
        if (!headers) headers = {};
        if (!hasHeader(headers, 'Content-Type')) headers['Content-Type'] = 'application/x-www-form-urlencoded';
      }
    } else extra.body = String(body);
  }
  // Without params (the usual http.get(url)) every option keeps its default and nothing is looked up.
  let userTags, cb = responseCallback, throws = state.throwErrors;
  let responseType = state.options.discardResponseBodies ? 'none' : 'text';
  if (params) {
    userTags = params.tags;
    if (userTags && userTags.name !== undefined) nameTag = String(userTags.name);
  }
  if (nameTag !== undefined) (extra || (extra = {})).name = nameTag;
  const tags = k6.tagsJSON(userTags);
  if (params) {
    if (params.timeout !== undefined) {
      const timeout = duration(params.timeout);
      if (timeout !== 60000) (extra || (extra = {})).timeout = timeout;
    }
    if (params.redirects !== undefined) (extra || (extra = {})).redirects = Number(params.redirects);
    if (params.responseType) responseType = params.responseType;
    if (params.responseCallback !== undefined) cb = checkCallback(params.responseCallback);
    if (params.cookies) {
      const cookies = {};
      for (const k in params.cookies) {
        const c = params.cookies[k];
        cookies[k] = c && typeof c === 'object' ? { value: String(c.value), replace: !!c.replace } : { value: String(c), replace: false };
      }
      (extra || (extra = {})).cookies = cookies;
    }
    const j = params.jar;
    if (j instanceof CookieJar && j[JAR] !== undefined) {
      (extra || (extra = {})).jar = j[JAR];
      preparedJar = j;
    }
    if (params.compression) (extra || (extra = {})).compression = String(params.compression);
    if (params.auth) {
      if (params.auth === 'ntlm') throw new Error('auth: "ntlm" is not supported by this runner');
      (extra || (extra = {})).auth = String(params.auth);
    }
    if (params.throw !== undefined) throws = params.throw;
  }
  if (responseType !== 'text') (extra || (extra = {})).responseType = responseType;
  if (u !== lastURL) {
    lastURLJSON = JSON.stringify(u);
    lastURL = u;
  }
  let text = '{"tags":' + tags + ',"method":' + (METHODS[method] || JSON.stringify(method)) + ',"url":' + lastURLJSON;
  if (headers) text += ',"headers":' + JSON.stringify(headers);
  text += ',"expected":' + (cb ? cb.__json : 'null');
  if (throws) text += ',"throw":true';
  if (extra) text += ',' + JSON.stringify(extra).slice(1);
  else text += '}';
  return text;
}

function gjson(value, path) {
  if (path === undefined) return value;
  let cur = value;
  for (const part of String(path).split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    if (part === '#' && Array.isArray(cur)) { cur = cur.length; continue; }
    if (!(part in cur)) return undefined;
    cur = cur[part];
  }
  return cur;
}

// A response arrives as "two characters (the head's length), head JSON \x01 body \x01 headers \x01 timings
// \x01 the rest" (see the host's encodeResponse). The head repeats from one response of a request to
// the next, so it is parsed only when it differs from the last one: QuickJS spends ~1 µs per JSON value.
// The parts after the body are found and parsed when first read (QuickJS copies every substring, and
// most scripts never read them).
const SEP = '\u0001';
// [text, start of the headers; once a part is read: start of the timings, of the rest, the end + 1,
// then the three parts parsed as they are read]
const RAW = Symbol('raw');
let lastHeadText = '';
let lastHead = null;

// Made in decode: status, status_text, proto, url, error, error_code, body, and [RAW].
class Response {
  __part(i) {
    const raw = this[RAW];
    if (raw.length === 2) {
      const s = raw[0];
      const t = s.indexOf(SEP, raw[1]) + 1;
      const x = s.indexOf(SEP, t) + 1;
      raw.push(t, x, s.length + 1, undefined, undefined, undefined);
    }
    let v = raw[5 + i];
    if (v === undefined) {
      v = JSON.parse(raw[0].slice(raw[1 + i], raw[2 + i] - 1));
      // the timings cross as a list (see the host's encodeResponse)
      if (i === 1) v = { blocked: v[0], looking_up: v[1], connecting: v[2], tls_handshaking: v[3], sending: v[4], waiting: v[5], receiving: v[6], duration: v[7] };
      raw[5 + i] = v;
    }
    return v;
  }
  get headers() { return this.__part(0); }
  get timings() { return this.__part(1); }
  get cookies() { return this.__part(2).cookies; }
  get request() { return this.__part(2).request; }
  get remote_ip() { return this.__part(2).remote_ip; }
  get remote_port() { return this.__part(2).remote_port; }
  get tls_version() { return this.__part(2).tls_version; }
  get tls_cipher_suite() { return this.__part(2).tls_cipher_suite; }
  get ocsp() { return this.__part(2).ocsp; }
  toJSON() {
    const x = this.__part(2);
    return {
      status: this.status, status_text: this.status_text, proto: this.proto, url: this.url, headers: this.headers,
      cookies: x.cookies, body: this.body, error: this.error, error_code: this.error_code, timings: this.timings,
      remote_ip: x.remote_ip, remote_port: x.remote_port, tls_version: x.tls_version,
      tls_cipher_suite: x.tls_cipher_suite, ocsp: x.ocsp, request: x.request,
    };
  }
  json(selector) {
    if (this.body === null || this.body === undefined) throw new Error('the body is null so we can\\'t transform it to JSON - this likely was because of a request error getting the response');
    const text = typeof this.body === 'string' ? this.body : host.b64decode(host.b64encode(this.body, 'std'), 'std', true);
    let parsed;
    try { parsed = JSON.parse(text); } catch (e) { throw new Error('cannot parse json due to an error at line 1: ' + e.message); }
    return gjson(parsed, selector);
  }
  html() { throw new Error('Response.html() is not supported by this runner'); }
  clickLink() { throw new Error('Response.clickLink() is not supported by this runner'); }
  submitForm() { throw new Error('Response.submitForm() is not supported by this runner'); }
}

const RESPONSE = Response.prototype;

// One response: a Response, or the request's error thrown (throw: true) or the iteration interrupted.
function decode(s) {
  const n = s.charCodeAt(0);
  const a = n === 127 ? s.indexOf(SEP, 2) : 2 + (n - 32) * 95 + (s.charCodeAt(1) - 32);
  const text = s.slice(2, a);
  let head = lastHead;
  if (text !== lastHeadText) {
    head = JSON.parse(text);
    lastHeadText = text;
    lastHead = head;
  }
  const failed = head[6];
  if (failed === 1) k6.interrupted();
  if (typeof failed === 'string') throw new Error(failed);
  const kind = head[7];
  const end = a + 1 + head[8];
  const body = kind === 'n' ? null : kind === 'b' ? host.b64decode(s.slice(a + 1, end), 'std', false) : s.slice(a + 1, end);
  // A literal over the prototype: QuickJS makes it faster than the constructor would.
  return {
    __proto__: RESPONSE, status: head[0], status_text: head[1], proto: head[2], url: head[3], error: head[4],
    error_code: head[5], body, [RAW]: [s, end + 1],
  };
}

// The last requests' text the host was given: the same again crosses as '' (the host keeps what it
// parsed last), as a loop's http.get(url) sends it every iteration.
let lastSent = '';
function sendOne(req) {
  let text = '';
  if (req !== lastSent) {
    lastSent = req;
    text = '[' + req + ']';
  }
  const samples = k6.takeSamples();
  // Without arguments when both are empty: each string argument is copied out of the VM.
  return decode(text === '' && samples === '' ? host.request() : host.request(text, samples));
}
function send(reqs) {
  if (reqs.length === 1) return [sendOne(reqs[0])];
  const key = '[' + reqs.join(',') + ']';
  let text = '';
  if (key !== lastSent) {
    lastSent = key;
    text = key;
  }
  const list = JSON.parse(host.request(text, k6.takeSamples()));
  const res = new Array(list.length);
  for (let i = 0; i < list.length; i++) res[i] = decode(list[i]);
  return res;
}

// The script's own jar a request just prepared uses (see CookieJar), to take the jar's state back.
let preparedJar = null;
function keepJar(j, res) {
  const data = res.__part(2).jar;
  if (data) j[JAR] = data;
}

function request(method, u, body, params) {
  preparedJar = null;
  const text = prepare(method, u, body, params);
  const j = preparedJar;
  const res = sendOne(text);
  if (j !== null) keepJar(j, res);
  return res;
}
const get = (u, params) => request('GET', u, null, params);
const head = (u, params) => request('HEAD', u, null, params);
const post = (u, body, params) => request('POST', u, body, params);
const put = (u, body, params) => request('PUT', u, body, params);
const patch = (u, body, params) => request('PATCH', u, body, params);
const del = (u, body, params) => request('DELETE', u, body, params);
const options = (u, body, params) => request('OPTIONS', u, body, params);
function asyncRequest(method, u, body, params) {
  try { return Promise.resolve(request(method, u, body, params)); } catch (e) { return Promise.reject(e); }
}

function batchItem(item) {
  if (typeof item === 'string' || item instanceof URLTemplate) return prepare('GET', item, null, undefined);
  if (Array.isArray(item)) return prepare(item[0], item[1], item[2], item[3]);
  return prepare(item.method || 'GET', item.url, item.body, item.params);
}
function batch(reqs) {
  const keys = Array.isArray(reqs) ? null : Object.keys(reqs);
  const jars = [];
  const item = (r) => {
    preparedJar = null;
    const text = batchItem(r);
    jars.push(preparedJar);
    return text;
  };
  const list = keys ? keys.map((k) => item(reqs[k])) : reqs.map(item);
  const res = send(list);
  for (let i = 0; i < jars.length; i++) if (jars[i] !== null) keepJar(jars[i], res[i]);
  if (!keys) return res;
  const out = {};
  keys.forEach((k, i) => { out[k] = res[i]; });
  return out;
}

// A jar the script makes is its own: its cookies (values by name, by host, as the host keeps the VU's)
// live here and cross with each request that names it, so the jar goes when the script drops it. The
// VU's jar (http.cookieJar(), and every request without an own jar) stays on the host.
const JAR = Symbol('jar');
function jarHost(u) {
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):\\/\\/(?:[^@\\/?#]*@)?([^\\/?#]*)/.exec(String(u));
  if (!m) throw new Error('invalid URL: ' + u);
  const scheme = m[1].toLowerCase();
  const h = m[2].toLowerCase();
  if ((scheme === 'http' || scheme === 'ws') && h.endsWith(':80')) return h.slice(0, -3);
  if ((scheme === 'https' || scheme === 'wss') && h.endsWith(':443')) return h.slice(0, -4);
  return h;
}
class CookieJar {
  constructor() { this[JAR] = {}; }
  cookiesForURL(u) {
    const d = this[JAR];
    if (d === undefined) return JSON.parse(host.jar('get', String(u), ''));
    const out = {}, c = d[jarHost(u)];
    if (c) for (const k in c) out[k] = [c[k]];
    return out;
  }
  set(u, name, value, opts) {
    const d = this[JAR];
    if (d === undefined) host.jar('set', String(u), JSON.stringify({ name: String(name), value: String(value), opts: opts || {} }));
    else {
      const h = jarHost(u);
      (d[h] || (d[h] = {}))[String(name)] = String(value);
    }
    return true;
  }
  clear(u) {
    const d = this[JAR];
    if (d === undefined) host.jar('clear', String(u), '');
    else delete d[jarHost(u)];
  }
  delete(u, name) {
    const d = this[JAR];
    if (d === undefined) host.jar('delete', String(u), String(name));
    else {
      const c = d[jarHost(u)];
      if (c) delete c[String(name)];
    }
  }
}
const jar = Object.create(CookieJar.prototype);
// k6/ws takes a jar of the script's own too.
k6.ownJar = (j) => (j instanceof CookieJar ? j[JAR] : undefined);
k6.keepOwnJar = (j, data) => { j[JAR] = data; };
function cookieJar() { return jar; }

const http = {
  request, get, head, post, put, patch, del, options, asyncRequest, batch, url, file,
  setResponseCallback, expectedStatuses, cookieJar, CookieJar,
  TLS_1_0: 'tls1.0', TLS_1_1: 'tls1.1', TLS_1_2: 'tls1.2', TLS_1_3: 'tls1.3',
  OCSP_STATUS_GOOD: 'good', OCSP_STATUS_REVOKED: 'revoked', OCSP_STATUS_UNKNOWN: 'unknown',
};
export {
  request, get, head, post, put, patch, del, options, asyncRequest, batch, url, file,
  setResponseCallback, expectedStatuses, cookieJar, CookieJar,
};
export const TLS_1_0 = 'tls1.0', TLS_1_1 = 'tls1.1', TLS_1_2 = 'tls1.2', TLS_1_3 = 'tls1.3';
export default http;
`;
