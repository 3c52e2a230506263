// k6-style log lines on stderr: time="..." level=... msg="..." key=value
export type Level = 'debug' | 'info' | 'warning' | 'error';

export type Fields = Record<string, string | number | boolean>;

let sink: (line: string) => void = (line) => process.stderr.write(line + '\n');
let minLevel: Level = 'info';
const order: Record<Level, number> = { debug: 0, info: 1, warning: 2, error: 3 };

export function setLogSink(fn: (line: string) => void): void {
  sink = fn;
}

export function setLogLevel(level: Level): void {
  minLevel = level;
}

function quote(v: string): string {
  // Quote only when needed, like logrus' text formatter.
  return /^[A-Za-z0-9_./@^+-]+$/.test(v) ? v : JSON.stringify(v);
}

export function formatLine(level: Level, msg: string, fields: Fields = {}, now = new Date()): string {
  const time = now.toISOString().replace(/\.\d+Z$/, 'Z');
  let line = `time="${time}" level=${level} msg=${quote(msg)}`;
  for (const k of Object.keys(fields).sort()) line += ` ${k}=${quote(String(fields[k]))}`;
  return line;
}

export function log(level: Level, msg: string, fields?: Fields): void {
  if (order[level] < order[minLevel]) return;
  sink(formatLine(level, msg, fields));
}
