// A VU's side of a k6/http request for tests of the host half: the samples it emits are collected.
import { CookieJar, type RequestContext } from '../modules/http-host.ts';
import type { Cancel } from '../modules/http1.ts';
import type { Sample } from '../metrics/types.ts';

export function requestContext(): { ctx: RequestContext; samples: Sample[] } {
  const samples: Sample[] = [];
  const ctx: RequestContext = {
    emit: (s: Sample[]) => samples.push(...s),
    signal: new AbortController().signal,
    cancels: new Set<Cancel>(),
    warn: () => {},
    bytes: { sent: 0, received: 0 },
    jar: new CookieJar(),
  };
  return { ctx, samples };
}
