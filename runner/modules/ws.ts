// `k6/ws` inside the VM: ws.connect blocks the iteration until its socket closes, running the socket's
// handlers and timers from the events the host queues (modules/ws-host.ts), as k6's own loop does.
export const wsSource = /* js */ `
const k6 = globalThis.__k6;
const state = k6.state;
const host = k6.host;
const INTERRUPTED = '\\u0001';

function goError(msg) {
  const e = new Error(msg);
  e.name = 'GoError';
  return e;
}

// What error handlers get: k6 hands over the Go error, whose error() is its text; a close error also
// carries its code and text.
class WsError {
  constructor(msg, code, text) {
    if (code !== undefined) {
      this.code = code;
      this.text = text;
    }
    this.error = function () { return msg; };
  }
  toString() { return this.error(); }
}

function tagsOf(tags) {
  if (tags === undefined || tags === null) return undefined;
  const out = {};
  for (const k of Object.keys(Object(tags))) {
    const v = tags[k];
    const t = typeof v;
    if (t !== 'string' && t !== 'number' && t !== 'boolean') {
      throw goError("invalid ws.connect() metric tags: invalid value for metric tag '" + k +
        "': only String, Boolean and Number types are accepted as a metric tag values");
    }
    out[k] = String(v);
  }
  return out;
}

function request(url, params) {
  const req = { url, headers: {}, compression: false, tags: null };
  let userTags;
  if (params === undefined || params === null) return [req, userTags];
  for (const k of Object.keys(Object(params))) {
    const v = params[k];
    if (k === 'headers') {
      if (v === undefined || v === null) continue;
      for (const h of Object.keys(Object(v))) req.headers[h] = String(v[h]);
    } else if (k === 'tags') {
      userTags = tagsOf(v);
    } else if (k === 'compression') {
      const algo = String(v).trim();
      if (algo === '') continue;
      if (algo !== 'deflate') {
        throw goError("unsupported compression algorithm '" + algo + "', supported algorithm is 'deflate'");
      }
      req.compression = true;
    } else if (k === 'jar') {
      // A jar of the script's own (k6/http's new CookieJar()); anything else leaves the VU's.
      const data = k6.ownJar ? k6.ownJar(v) : undefined;
      if (data !== undefined) req.jar = data;
    }
  }
  return [req, userTags];
}

function toInteger(v) {
  const n = Math.trunc(Number(v));
  return Number.isFinite(n) ? n : 0;
}

function connect(url, ...args) {
  if (state.init) throw goError('using websockets in the init context is not supported');
  let params, setup;
  if (args.length === 2) { params = args[0]; setup = args[1]; }
  else if (args.length === 1) setup = args[0];
  else throw goError('invalid number of arguments to ws.connect');
  if (typeof setup !== 'function') throw goError('last argument to ws.connect must be a function');
  url = String(url);
  const [req, userTags] = request(url, params);
  req.tags = k6.tags(userTags);
  const answer = host.wsConnect(JSON.stringify(req), k6.takeSamples());
  if (answer === INTERRUPTED) k6.interrupted();
  const r = JSON.parse(answer);
  if (r.jar) k6.keepOwnJar(params.jar, r.jar);
  if (r.error !== undefined) {
    if (state.throwErrors) throw goError(r.error);
    if (r.response) return { url: '', status: r.status, headers: r.headers, body: r.body, error: '' };
    return { url: '', status: 0, headers: {}, body: '', error: r.error };
  }
  return session(r.id, setup, { url, status: 101, headers: r.headers, body: '', error: '' });
}

function session(id, setup, response) {
  const handlers = Object.create(null);
  const timers = [];
  let done = false;
  let interrupted = false;

  // Handlers added while an event is handled wait for the next one, as k6 ranges over its list.
  function fire(event, arg) {
    const list = handlers[event];
    if (!list) return;
    const n = list.length;
    for (let i = 0; i < n; i++) {
      if (arguments.length > 1) list[i](arg);
      else list[i]();
    }
  }
  function failed(err) {
    if (err) fire('error', new WsError(err));
  }
  // The close frame goes out once, then the close handlers run; the loop ends after the event at hand.
  function closeConnection(code) {
    if (done) return;
    done = true;
    failed(host.wsClose(id, String(code)));
    fire('close', code);
  }
  function schedule(name, repeat, fn, ms) {
    const d = Number(ms);
    if (!(d * 1e6 >= 1)) {
      throw goError(name + ' requires a >0 timeout parameter, received ' + (Number.isNaN(d) ? 'NaN' : d.toFixed(2)));
    }
    if (typeof fn !== 'function') throw new TypeError(name + ': the first argument must be a function');
    if (done) return;
    const t = timers.length;
    timers.push(fn);
    host.wsTimer(id, String(t), String(d), repeat ? '1' : '0');
  }
  const socket = {
    close(...a) { closeConnection(a.length > 0 ? toInteger(a[0]) : 1001); },
    on(event, handler) {
      if (typeof handler !== 'function') return;
      const name = String(event);
      (handlers[name] || (handlers[name] = [])).push(handler);
    },
    ping() { failed(host.wsPing(id)); },
    send(message) { failed(host.wsSend(id, String(message))); },
    sendBinary(...a) {
      if (a.length === 0) throw goError('missing argument, expected ArrayBuffer');
      const m = a[0];
      if (!(m instanceof ArrayBuffer)) {
        let type;
        if (m === null || m === undefined) type = String(m);
        else type = String(Object(m).constructor && Object(m).constructor.name);
        throw goError('expected ArrayBuffer as argument, received: ' + type);
      }
      failed(host.wsSendBinary(id, m));
    },
    setInterval(fn, ms) { schedule('setInterval', true, fn, ms); },
    setTimeout(fn, ms) { schedule('setTimeout', false, fn, ms); },
  };

  function dispatch(ev) {
    switch (ev[0]) {
      case 'm': fire('message', ev[1]); break;
      case 'b': fire('binaryMessage', host.b64decode(ev[1], 'std', false)); break;
      case 'p': fire('ping'); break;
      case 'o': fire('pong'); break;
      case 'e': fire('error', new WsError(ev[1], ev[2], ev[3])); break;
      case 'c': closeConnection(ev[1]); break;
      case 't': {
        const fn = timers[ev[1]];
        if (fn) fn();
        break;
      }
    }
  }

  try {
    setup(socket);
    fire('open');
    while (!done) {
      const text = host.wsWait(id, k6.takeSamples());
      if (text === INTERRUPTED) {
        interrupted = true;
        k6.interrupted();
      }
      const events = JSON.parse(text);
      for (let i = 0; i < events.length && !done; i++) dispatch(events[i]);
    }
  } finally {
    // An exception from the script's code closes the socket (1001) on its way out of ws.connect.
    if (!interrupted) {
      try {
        if (!done) closeConnection(1001);
      } finally {
        host.wsEnd(id);
      }
    }
  }
  return response;
}

const ws = { connect };
export { connect };
export default ws;
`;
