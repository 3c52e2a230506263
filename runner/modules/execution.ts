// `k6/execution`: what a VU knows about itself, its scenario and the test; test.abort().
export const executionSource = /* js */ `
const k6 = globalThis.__k6;
const state = k6.state;

function needIteration(what) {
  if (state.init) throw new Error('getting ' + what + ' information in the init context is not supported');
  k6.iteration();
}

// exec.vu.tags shows every tag the VU's samples get (the run's, the scenario's, group, its own); what a
// script sets or deletes here is kept in state.vuTags (see k6.tags).
const tagsProxy = new Proxy({}, {
  get(_, k) { return typeof k === 'string' ? k6.tags()[k] : undefined; },
  has(_, k) { return typeof k === 'string' && k in k6.tags(); },
  ownKeys() { return Object.keys(k6.tags()); },
  getOwnPropertyDescriptor(_, k) {
    const t = k6.tags();
    if (typeof k !== 'string' || !(k in t)) return undefined;
    return { value: t[k], writable: true, enumerable: true, configurable: true };
  },
  set(_, k, v) { state.vuTags[k] = k6.checkTagValue(k, v); k6.tagsChanged(); return true; },
  deleteProperty(_, k) { state.vuTags[k] = null; k6.tagsChanged(); return true; },
});
// The host attaches the VU's metadata to every sample it emits from then on (samples queued here go first).
const metadataProxy = new Proxy(state.vuMetadata, {
  set(t, k, v) { t[k] = String(v); k6.host.metadata(JSON.stringify(t), k6.takeSamples()); return true; },
  deleteProperty(t, k) { delete t[k]; k6.host.metadata(JSON.stringify(t), k6.takeSamples()); return true; },
});

const vu = {};
Object.defineProperties(vu, {
  idInInstance: { get() { needIteration('VU'); return state.vu; }, enumerable: true },
  idInTest: { get() { needIteration('VU'); return state.vu; }, enumerable: true },
  iterationInInstance: { get() { needIteration('VU'); return state.iter; }, enumerable: true },
  iterationInScenario: { get() { needIteration('VU'); return state.iterationInScenario; }, enumerable: true },
  tags: { get() { return tagsProxy; }, enumerable: true },
  metrics: { value: { get tags() { return tagsProxy; }, get metadata() { return metadataProxy; } }, enumerable: true },
});

function scenarioInfo() {
  needIteration('scenario');
  if (!state.scenario) throw new Error('getting scenario information outside of a scenario is not supported');
  return state.scenario;
}
const scenario = {};
Object.defineProperties(scenario, {
  name: { get() { return scenarioInfo().name; }, enumerable: true },
  executor: { get() { return scenarioInfo().executor; }, enumerable: true },
  startTime: { get() { return scenarioInfo().startTime; }, enumerable: true },
  progress: { get() { return scenarioInfo().progress || 0; }, enumerable: true },
  iterationInInstance: { get() { scenarioInfo(); return state.iterationInTest; }, enumerable: true },
  iterationInTest: { get() { scenarioInfo(); return state.iterationInTest; }, enumerable: true },
});

function instanceInfo() {
  needIteration('instance');
  const r = state.instanceRow;
  if (!state.instance && r) {
    state.instance = { testStart: r[4], iterationsCompleted: r[5], iterationsInterrupted: r[6], vusActive: r[7], vusInitialized: r[8] };
  }
  return state.instance || {};
}
const instance = {};
Object.defineProperties(instance, {
  currentTestRunDuration: {
    get() { const i = instanceInfo(); return i.testStart ? Date.now() - i.testStart : 0; }, enumerable: true,
  },
  iterationsCompleted: { get() { return instanceInfo().iterationsCompleted || 0; }, enumerable: true },
  iterationsInterrupted: { get() { return instanceInfo().iterationsInterrupted || 0; }, enumerable: true },
  vusActive: { get() { return instanceInfo().vusActive || 0; }, enumerable: true },
  vusInitialized: { get() { return instanceInfo().vusInitialized || 0; }, enumerable: true },
});

function freeze(o) {
  if (o && typeof o === 'object') { Object.freeze(o); for (const k in o) freeze(o[k]); }
  return o;
}
let frozenOptions;
const test = {
  abort(msg) {
    const frames = k6.frames(new Error().stack);
    let text = 'test aborted';
    if (msg !== undefined) text += ': ' + String(msg);
    // k6 names the place for init and iterations only; it travels after \\u0002 (a NUL would end the string).
    if (frames.length) text += '\\u0002' + frames[0];
    k6.host.abort(text);
    k6.aborted();
  },
  get options() {
    if (!frozenOptions) {
      const o = JSON.parse(JSON.stringify(state.options || {}));
      for (const k of ['vus', 'iterations', 'duration', 'stages']) delete o[k];
      frozenOptions = freeze(o);
    }
    return frozenOptions;
  },
};

const exec = { vu, scenario, instance, test };
export { vu, scenario, instance, test };
export default exec;
`;
