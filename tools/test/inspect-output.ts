// The initializer pod's log read as k6-operator v1.6.0 reads it (inspectTestRun in
// internal/controller/common.go, InspectOutput in pkg/cloud/inspect.go): the whole log is one JSON document,
// decoded by Go's encoding/json into a struct of ext.loadimpact and cloud (name, projectID), totalDuration
// (k6's NullDuration), maxVUs (uint64) and thresholds. Go refuses text around the document and a value of the
// wrong type for any of those fields; either leaves the TestRun in stage "error". Other fields are ignored.

export interface Inspected {
  /** Milliseconds, or null when k6 wrote null. */
  totalDuration: number | null;
  maxVUs: number;
  /** cloud.name, else ext.loadimpact.name, as the operator picks them. */
  testName: string;
  projectID: number;
}

const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

const NUMBER = String.raw`(?:\d+\.?\d*|\.\d+)`;
const UNIT = 'ns|us|µs|μs|ms|s|m|h';

/** Go's time.ParseDuration, in milliseconds. */
function goDurationMs(text: string): number {
  const m = new RegExp(`^([-+]?)((?:${NUMBER}(?:${UNIT}))+|0)$`).exec(text);
  if (!m) throw new Error(`time: invalid duration "${text}"`);
  let ms = 0;
  for (const part of m[2].matchAll(new RegExp(`(${NUMBER})(${UNIT})`, 'g')))
    ms += Number(part[1]) * UNIT_MS[part[2]];
  return m[1] === '-' ? -ms : ms;
}

/** k6's extended duration: a bare number of milliseconds, Go's duration syntax, or days first ("2d3h"). */
export function durationMs(text: string): number {
  if (/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) return Number(text);
  const days = /^([-+]?\d+)d(.*)$/.exec(text);
  if (!days) return goDurationMs(text);
  const rest = days[2] ? goDurationMs(days[2]) : 0;
  if (rest < 0) throw new Error(`invalid time format '${days[2]}'`);
  const d = Number(days[1]);
  return d * 86_400_000 + (d < 0 ? -rest : rest);
}

function kind(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
}

function object(v: unknown, at: string): Record<string, unknown> {
  if (v === null || v === undefined) return {};
  if (kind(v) !== 'object') throw new Error(`json: cannot unmarshal ${kind(v)} into ${at} (object)`);
  return v as Record<string, unknown>;
}

function str(v: unknown, at: string): string {
  if (v === null || v === undefined) return '';
  if (typeof v !== 'string') throw new Error(`json: cannot unmarshal ${kind(v)} into ${at} (string)`);
  return v;
}

function int(v: unknown, at: string, unsigned: boolean): number {
  if (v === null || v === undefined) return 0;
  if (typeof v !== 'number' || !Number.isInteger(v) || (unsigned && v < 0))
    throw new Error(
      `json: cannot unmarshal ${JSON.stringify(v)} into ${at} (${unsigned ? 'uint64' : 'int64'})`,
    );
  return v;
}

function nullDuration(v: unknown, at: string): number | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    try {
      return durationMs(v);
    } catch (err) {
      throw new Error(`${at}: ${(err as Error).message}`);
    }
  }
  throw new Error(`'${JSON.stringify(v)}' is not a valid duration value (${at})`);
}

/** What the operator takes from the log, or the error that would stop the TestRun. */
export function parseInspectOutput(log: string): Inspected {
  let doc: unknown;
  try {
    doc = JSON.parse(log);
  } catch (err) {
    throw new Error(`the log is not one JSON document: ${(err as Error).message}`);
  }
  const top = object(doc, 'InspectOutput');
  const loadimpact = object(object(top.ext, 'ext').loadimpact, 'ext.loadimpact');
  const cloud = object(top.cloud, 'cloud');
  const legacyName = str(loadimpact.name, 'ext.loadimpact.name');
  const legacyProject = int(loadimpact.projectID, 'ext.loadimpact.projectID', false);
  const name = str(cloud.name, 'cloud.name');
  const project = int(cloud.projectID, 'cloud.projectID', false);
  for (const [metric, list] of Object.entries(object(top.thresholds, 'thresholds'))) {
    if (list === null) continue;
    if (!Array.isArray(list))
      throw new Error(`json: cannot unmarshal ${kind(list)} into thresholds.${metric}`);
    for (const t of list) {
      if (typeof t === 'string') continue;
      const o = object(t, `thresholds.${metric}[]`);
      str(o.threshold, `thresholds.${metric}[].threshold`);
      if (o.abortOnFail !== undefined && o.abortOnFail !== null && typeof o.abortOnFail !== 'boolean')
        throw new Error(
          `json: cannot unmarshal ${kind(o.abortOnFail)} into thresholds.${metric}[].abortOnFail`,
        );
      nullDuration(o.delayAbortEval, `thresholds.${metric}[].delayAbortEval`);
    }
  }
  return {
    totalDuration: nullDuration(top.totalDuration, 'totalDuration'),
    maxVUs: int(top.maxVUs, 'maxVUs', true),
    testName: name || legacyName,
    projectID: project > 0 ? project : legacyProject,
  };
}
