// The options pass: the init code once with __VU = 0, to read `options`, the exported functions and the
// metrics declared at init. SharedArrays made here are kept for the pool, so their callbacks run once.
import path from 'node:path';
import type { MetricDef } from '../metrics/types.ts';
import { log } from '../log.ts';
import { ScriptError } from './vm.ts';
import { ThreadContext, VU, scriptInput } from './vu.ts';
import type { ScriptInput } from './types.ts';

export class InitError extends Error {
  /** k6's exit code: 107 for an exception in init code, 108 for test.abort() there */
  constructor(
    message: string,
    readonly exitCode = 107,
  ) {
    super(message);
  }
}

export interface InitResult {
  options: Record<string, unknown>;
  /** names of the exported functions (`default`, setup, teardown, handleSummary, scenario execs) */
  exports: string[];
  /** custom metrics declared in the init code */
  metrics: MetricDef[];
}

/** SharedArray contents from the options pass, per script, handed to every VU thread of its pool. */
const sharedArrays = new Map<string, Map<string, string[]>>();

export function sharedArraysOf(filename: string): [string, string[]][] {
  return [...(sharedArrays.get(filename) ?? [])];
}

export function resolveScript(script: string | ScriptInput): ScriptInput {
  return typeof script === 'string' ? scriptInput(script) : script;
}

export async function initOptionsPass(cfg: {
  script: string | ScriptInput;
  env: Record<string, string>;
  /** the script as the user named it, for messages (k6 repeats the argument) */
  label?: string;
}): Promise<InitResult> {
  const metrics: MetricDef[] = [];
  let aborted: string | undefined;
  const thread = new ThreadContext(
    resolveScript(cfg.script),
    {},
    {
      samples: () => {},
      define: (d) => metrics.push(d),
      log: (level, msg, fields) => log(level, msg, fields),
      abort: (msg) => (aborted ??= msg),
    },
  );
  let vu: VU;
  try {
    vu = await VU.create(0, thread, cfg.env);
  } catch (e) {
    await thread.close();
    if (aborted !== undefined) {
      // k6 reports it as a failure to load the script, with the place test.abort() was called from.
      const [reason, place] = aborted.split('\u0002');
      const url = resolveScript(cfg.script).filename;
      const where = place ? ` at ${place}` : '';
      throw new InitError(
        `could not initialize '${cfg.label ?? path.posix.basename(url)}': could not load JS test '${url}': ${reason}${where}`,
        108,
      );
    }
    throw new InitError(e instanceof ScriptError ? e.message : String(e));
  }
  const { functions, options } = vu.exports();
  vu.dispose();
  await thread.close();
  sharedArrays.set(thread.filename, new Map(thread.shared));
  if (options !== null && (typeof options !== 'object' || Array.isArray(options))) {
    throw new InitError('the exported options must be an object');
  }
  return { options: (options ?? {}) as Record<string, unknown>, exports: functions, metrics };
}
