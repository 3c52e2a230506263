// The module map the VM's loader serves; anything else fails at init naming the module.
import { coreSource } from './core.ts';
import { k6Source } from './k6.ts';
import { httpSource } from './http.ts';
import { metricsSource } from './metrics.ts';
import { executionSource } from './execution.ts';
import { dataSource } from './data.ts';
import { encodingSource } from './encoding.ts';
import { cryptoSource } from './crypto.ts';
import { wsSource } from './ws.ts';

export { coreSource };

export const moduleSources: Record<string, string> = {
  k6: k6Source,
  'k6/http': httpSource,
  'k6/metrics': metricsSource,
  'k6/execution': executionSource,
  'k6/data': dataSource,
  'k6/encoding': encodingSource,
  'k6/crypto': cryptoSource,
  'k6/ws': wsSource,
};

export class UnknownModuleError extends Error {
  constructor(name: string) {
    super(`unknown module: ${name}`);
  }
}

export function loadModule(name: string): string {
  const src = moduleSources[name];
  if (src === undefined) throw new UnknownModuleError(name);
  return src;
}
