// The VU's runtime inside the VM, evaluated once per VU before the script: VU state (ids, iteration,
// tags, group path), sample emission, console, __ENV/__VU/__ITER, and the iteration entry point the
// host calls. Host functions on globalThis.__host are leaves: none of them calls back into the VM.
export const coreSource = /* js */ `
(function () {
  const host = globalThis.__host;
  delete globalThis.__host;
  const k6 = {};
  Object.defineProperty(globalThis, '__k6', { value: k6 });
  k6.host = host;

  // QuickJS's own Math.random was not seeded apart per VM: VUs created together drew the same numbers (and
  // made the same "random" ids). Each VU gets xorshift128 seeded from the OS, as k6 seeds each VU's own.
  // (The VM that only reads the options has no crypto host functions; it draws nothing that matters.)
  if (typeof host.randomBytes === 'function') (function () {
    const seed = new Uint8Array(host.randomBytes(16));
    const w = [0, 0, 0, 0];
    for (let i = 0; i < 16; i++) w[i >> 2] = (w[i >> 2] << 8) | seed[i];
    if ((w[0] | w[1] | w[2] | w[3]) === 0) w[0] = 1;
    let x = w[0], y = w[1], z = w[2], v = w[3];
    const next = () => {
      const t = x ^ (x << 11);
      x = y; y = z; z = v;
      v = (v ^ (v >>> 19) ^ (t ^ (t >>> 8))) | 0;
      return v >>> 0;
    };
    // 53 bits from two draws, as V8 and Go build a double in [0, 1).
    Object.defineProperty(Math, 'random', {
      value: function random() { return ((next() >>> 5) * 67108864 + (next() >>> 6)) / 9007199254740992; },
      writable: true,
      configurable: true,
    });
  })();

  const state = {
    init: true,
    vu: 0,
    iter: 0,
    tags: {},
    group: '',
    vuTags: {},
    vuMetadata: {},
    scenario: null,
    iterationInScenario: 0,
    iterationInTest: 0,
    instance: null,
    changingJSON: '[0,0,null,0]',
    changed: true,
    dataJSON: undefined,
    data: undefined,
    throwErrors: false,
    options: {},
    initEnv: {},
  };
  k6.state = state;

  class Interrupt {}
  class Abort {}
  k6.Interrupt = Interrupt;
  k6.interrupted = function () { throw new Interrupt(); };
  // test.abort(): the iteration ends here but still counts, as in k6.
  k6.aborted = function () { throw new Abort(); };

  function checkTagValue(k, v) {
    const t = typeof v;
    if (t !== 'string' && t !== 'number' && t !== 'boolean') {
      throw new TypeError('invalid value for tag ' + k + ': tags must be strings, numbers or booleans');
    }
    return String(v);
  }
  k6.checkTagValue = checkTagValue;

  // Tags for a sample: scenario/run tags, exec.vu.tags, the current group, then per-call tags.
  k6.tags = function (extra) {
    const out = {};
    for (const k in state.tags) out[k] = state.tags[k];
    out.group = state.group;
    // exec.vu.tags: a value set there wins over the run's and scenario's, null deletes one of theirs.
    for (const k in state.vuTags) {
      const v = state.vuTags[k];
      if (v === null) delete out[k];
      else out[k] = v;
    }
    if (extra) for (const k in extra) out[k] = checkTagValue(k, extra[k]);
    return out;
  };
  // The same as JSON text. Without per-call tags it is cached until the group, the run's tags or
  // exec.vu.tags change: most samples of an iteration share it.
  let tagsCache = null;
  k6.tagsChanged = function () { tagsCache = null; };
  k6.tagsJSON = function (extra) {
    if (extra) for (const k in extra) return JSON.stringify(k6.tags(extra));
    if (tagsCache === null) tagsCache = JSON.stringify(k6.tags());
    return tagsCache;
  };
  // Tags JSON with one more key (check's name) appended.
  k6.withTag = function (tagsJSON, key, value) {
    return tagsJSON.slice(0, -1) + ',"' + key + '":' + JSON.stringify(value) + '}';
  };

  // Samples wait inside the VM as JSON rows and leave with the next host call that suspends (request,
  // sleep) or with the iteration's verdict: one crossing for many samples.
  let pending = [];
  k6.emitJSON = function (metric, value, tagsJSON) {
    pending.push('["' + metric + '",' + value + ',' + tagsJSON + ',' + Date.now() + ']');
  };
  k6.emit = function (metric, value, tags) {
    k6.emitJSON(metric, value, JSON.stringify(tags));
  };
  k6.takeSamples = function () {
    if (!pending.length) return '';
    const out = '[' + pending.join(',') + ']';
    pending = [];
    return out;
  };
  k6.initOnly = function (what) {
    if (!state.init) throw new Error(what + ' can only be called in the init context');
  };
  k6.notInInit = function (what) {
    if (state.init) throw new Error(what + ' is not supported in the init context');
  };

  function fmt(v) {
    if (typeof v === 'string') return v;
    if (v instanceof Error) return String(v);
    if (v === undefined) return 'undefined';
    if (typeof v === 'function') return '[object Function]';
    if (typeof v === 'object' && v !== null) {
      try { return JSON.stringify(v); } catch (e) { return String(v); }
    }
    return String(v);
  }
  function logger(level) {
    return function () {
      const parts = [];
      for (let i = 0; i < arguments.length; i++) parts.push(fmt(arguments[i]));
      host.log(level, parts.join(' '));
    };
  }
  globalThis.console = {
    log: logger('info'), info: logger('info'), warn: logger('warning'),
    error: logger('error'), debug: logger('debug'),
  };

  // Frames of the script only, in k6's "\\tat file:line:col" style.
  k6.frames = function (stack) {
    const out = [];
    for (const line of String(stack || '').split('\\n')) {
      const m = /^\\s*at (.*?) \\((.*)\\)$/.exec(line) || /^\\s*at ()(.*)$/.exec(line);
      if (!m) continue;
      const where = m[2];
      if (!/^(file:|\\/|[A-Za-z]:)/.test(where)) continue;
      const name = m[1];
      out.push(name && name !== '<anonymous>' && name !== 'default' ? name + ' (' + where + ')' : where);
    }
    return out;
  };
  k6.describe = function (e) {
    if (e && typeof e === 'object' && 'message' in e) {
      const head = (e.name || 'Error') + ': ' + e.message;
      const frames = k6.frames(e.stack);
      return frames.length ? head + '\\n' + frames.map((f) => '\\tat ' + f + '\\n').join('') : head;
    }
    return fmt(e);
  };

  globalThis.__ENV = {};
  globalThis.__VU = 0;
  globalThis.__ITER = 0;

  k6.open = function (path, mode) {
    k6.initOnly('open()');
    return host.open(String(path), mode === 'b');
  };
  globalThis.open = k6.open;

  k6.setup = function (vu, envJSON, optionsJSON) {
    state.vu = vu;
    globalThis.__VU = vu;
    globalThis.__ENV = JSON.parse(envJSON);
    // What init code got, kept apart from what it does to __ENV: each scenario starts from it (k6.run).
    state.initEnv = Object.assign({}, globalThis.__ENV);
    state.options = JSON.parse(optionsJSON) || {};
    state.throwErrors = !!state.options.throw;
  };

  function parseData(json) {
    if (json === undefined) return undefined;
    if (json !== state.dataJSON) {
      state.dataJSON = json;
      state.data = JSON.parse(json);
    }
    return state.data;
  }

  // What the host reads after a run: the verdict as JSON ({ok, value?, error?, interrupted?,
  // aborted?}), then \\u0001 and the JSON of the samples still queued here (JSON text holds no raw
  // control characters). The samples are not nested in the verdict: that would escape every quote.
  // Once exec.vu.tags holds anything, the verdict carries the tags at the iteration's end too: k6 tags
  // the iteration's own samples (iterations, iteration_duration, data_*) with them.
  const OK = '{"ok":true}\u0001';
  function verdict(v) {
    for (const _ in state.vuTags) {
      const head = v === null ? '{"ok":true' : JSON.stringify(v).slice(0, -1);
      return head + ',"tags":' + k6.tagsJSON() + '}\u0001' + k6.takeSamples();
    }
    if (v === null) return pending.length ? OK + k6.takeSamples() : OK;
    return JSON.stringify(v) + '\u0001' + k6.takeSamples();
  }

  // Runs one exported function; returns its verdict (above).
  // fixedJSON: what rarely changes ('' = as last time); changingJSON: [iterationInScenario,
  // iterationInTest, instance, progress], or with instance null and exec.instance's numbers after
  // progress: [..., testStart, iterationsCompleted, iterationsInterrupted, vusActive, vusInitialized].
  let fixed = null;
  // The changing part is parsed when k6/execution first reads it in an iteration: most never do, and
  // QuickJS spends ~1 µs per JSON value. A VU's host hands it over only then (CHANGING_FROM_HOST).
  const CHANGING_FROM_HOST = '\u0004';
  k6.iteration = function () {
    if (state.changed) return;
    state.changed = true;
    const text = state.changingJSON;
    const changing = JSON.parse(text === CHANGING_FROM_HOST ? host.changing() : text);
    if (state.scenario) state.scenario.progress = changing[3];
    state.iterationInScenario = changing[0];
    state.iterationInTest = changing[1];
    state.instance = changing[2];
    state.instanceRow = changing.length > 4 ? changing : null;
  };
  k6.run = function (name, fixedJSON, changingJSON) {
    if (fixedJSON !== '' || fixed === null) fixed = JSON.parse(fixedJSON || '{}');
    const req = fixed;
    state.init = false;
    // The tags JSON cached inside an iteration stays valid into the next while tags and group stay.
    const tags = req.tags || {};
    const group = req.group || '';
    if (tags !== state.tags || group !== state.group) {
      state.tags = tags;
      state.group = group;
      k6.tagsChanged();
    }
    const scenario = req.scenario || null;
    if (state.scenario !== null && (scenario === null || scenario.name !== state.scenario.name)) newScenario();
    state.scenario = scenario;
    // 1: the env init code had (the host's SAME_ENV), as a fresh object
    if (req.env && fixedJSON !== '') globalThis.__ENV = req.env === 1 ? Object.assign({}, state.initEnv) : req.env;
    return iterate(name, req, k6.exports[name], false, undefined, changingJSON);
  };

  // A VU that moves on to another scenario starts it without the tags and metadata it set in exec.vu, as
  // k6 makes its tags afresh for each scenario it runs.
  function newScenario() {
    let tags = false, meta = false;
    for (const _ in state.vuTags) { tags = true; break; }
    if (tags) {
      state.vuTags = {};
      k6.tagsChanged();
    }
    for (const k in state.vuMetadata) {
      delete state.vuMetadata[k];
      meta = true;
    }
    if (meta) host.metadata('{}', k6.takeSamples());
  }

  // The call of an iteration's function and its verdict (k6.run's, and k6.loop's later iterations,
  // which pass the function and its argument they took once). The iteration's numbers are parsed when
  // first read (k6.iteration).
  function iterate(name, req, fn, known, arg, changingJSON) {
    state.changingJSON = changingJSON;
    state.changed = false;
    globalThis.__ITER = state.iter;
    try {
      if (typeof fn !== 'function') throw new Error('function "' + name + '" not found in exports');
      if (!known) {
        if (req.summary) arg = req.summary;
        else arg = req.fresh ? (req.data === undefined ? undefined : JSON.parse(req.data)) : parseData(req.data);
      }
      const value = fn(arg);
      if (value && typeof value.then === 'function' && !req.want) return awaitVerdict(value);
      if (req.want === 'json' && value !== undefined) return verdict({ ok: true, value: k6.toJSON(value) });
      if (req.want === 'summary') return verdict({ ok: true, value: k6.summaryResult(value) });
      return verdict(null);
    } catch (e) {
      return verdictOf(e);
    } finally {
      if (req.countIteration) state.iter++;
      if (state.group !== '') {
        state.group = '';
        k6.tagsChanged();
      }
    }
  }

  // Iterations back to back without leaving the VM (the host's VU.loop): host.next takes each verdict
  // and answers NEXT_GO (the next iteration's numbers wait with the host: CHANGING_FROM_HOST), 0 when
  // the loop is over, NEXT_YIELD (suspend once so the thread's other VUs run, then ask again), or
  // NEXT_RETURN (the host finishes this verdict itself: promise jobs wait). An async function's marker
  // also goes back to the host.
  const NEXT_YIELD = 2, NEXT_RETURN = 3, NEXT_GO = 4;
  k6.loop = function (name, fixedJSON, changingJSON) {
    let v = k6.run(name, fixedJSON, changingJSON);
    // Later iterations share the first one's fixed part: k6.run's look-ups of it are done once, unless
    // it sets a group or asks for fresh data each time.
    const req = fixed;
    const fn = k6.exports[name];
    const plain = !req.group && !req.fresh && !req.summary;
    const arg = plain ? parseData(req.data) : undefined;
    for (;;) {
      if (v === ASYNC) return v;
      let next = host.next(v);
      while (next === NEXT_YIELD) {
        host.pause();
        next = host.next();
      }
      if (next === NEXT_RETURN) return v;
      if (next !== NEXT_GO) return '';
      v = plain ? iterate(name, req, fn, true, arg, CHANGING_FROM_HOST) : k6.run(name, '', CHANGING_FROM_HOST);
    }
  };

  // An async function's iteration: its verdict is left for the host to collect once the promise settles.
  const ASYNC = '{"async":true}';
  function awaitVerdict(value) {
    k6.asyncVerdict = undefined;
    value.then(
      () => { k6.asyncVerdict = verdict(null); },
      (e) => { k6.asyncVerdict = verdictOf(e); },
    );
    return ASYNC;
  }

  function verdictOf(e) {
    if (e instanceof Interrupt) return verdict({ ok: false, interrupted: true });
    if (e instanceof Abort) return verdict({ ok: false, aborted: true });
    return verdict({ ok: false, error: k6.describe(e) });
  }

  k6.toJSON = function (value) {
    const s = JSON.stringify(value, function (k, v) {
      if (typeof v === 'function') throw new Error('setup() returned a value that cannot be serialised to JSON: function at key "' + k + '"');
      return v;
    });
    return s;
  };
  k6.summaryResult = function (value) {
    if (!value || typeof value !== 'object') return null;
    const out = {};
    for (const k in value) {
      const v = value[k];
      if (v instanceof ArrayBuffer) out[k] = { b64: host.b64encode(v, 'std') };
      else out[k] = { text: String(v) };
    }
    return out;
  };
})();
`;
