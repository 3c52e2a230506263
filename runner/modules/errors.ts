// Network errors as k6 reports them: a numeric error_code, a short `error` tag, and the Go-style text
// of the "Request Failed" warning.
export interface NetError {
  code: number;
  /** the `error` tag and Response.error */
  message: string;
  /** the text after `Get "url": ` in the warning line */
  detail: string;
}

export class RequestTimeout extends Error {
  code = 'K6_REQUEST_TIMEOUT';
}

function hostPort(url: URL): string {
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return `${url.hostname}:${port}`;
}

export function mapError(err: unknown, url: URL | null): NetError {
  const e = (err ?? {}) as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = e.code ?? e.cause?.code ?? '';
  const where = url ? hostPort(url) : '';
  switch (code) {
    case 'K6_REQUEST_TIMEOUT':
      return { code: 1050, message: 'request timeout', detail: 'request timeout' };
    case 'K6_HTTP2': {
      // http2.ts numbers these as k6 does.
      const msg = e.message ?? 'http2 error';
      return { code: (err as { k6Code: number }).k6Code, message: msg, detail: msg };
    }
    case 'K6_INVALID_URL':
      return { code: 1020, message: 'invalid URL', detail: e.message ?? 'invalid URL' };
    case 'ECONNREFUSED':
      return {
        code: 1212,
        message: 'dial: connection refused',
        detail: `dial tcp ${where}: connect: connection refused`,
      };
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'ETIMEDOUT':
      return { code: 1211, message: 'dial: i/o timeout', detail: `dial tcp ${where}: i/o timeout` };
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return {
        code: 1101,
        message: `lookup ${url?.hostname}: no such host`,
        detail: `dial tcp: lookup ${url?.hostname}: no such host`,
      };
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return {
        code: 1220,
        message: 'read: connection reset by peer',
        detail: `read tcp ${where}: read: connection reset by peer`,
      };
    case 'EPIPE':
      return { code: 1201, message: 'write: broken pipe', detail: `write tcp ${where}: write: broken pipe` };
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return {
        code: 1210,
        message: 'dial: no route to host',
        detail: `dial tcp ${where}: connect: no route to host`,
      };
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
      return {
        code: 1310,
        message: 'x509: certificate signed by unknown authority',
        detail: 'tls: failed to verify certificate: x509: certificate signed by unknown authority',
      };
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return {
        code: 1311,
        message: 'x509: certificate is valid for other names',
        detail: `tls: failed to verify certificate: ${e.message ?? ''}`,
      };
    case 'Z_DATA_ERROR':
    case 'Z_BUF_ERROR':
    case 'ERR_BROTLI_DECOMPRESSION_FAILED':
      return { code: 1701, message: 'error decompressing response body', detail: e.message ?? '' };
    default: {
      const msg = e.message ?? String(err);
      return { code: 1000, message: msg, detail: msg };
    }
  }
}

/** Go's url.Error op: "Get", "Post", ... */
export function goMethod(method: string): string {
  return method.charAt(0).toUpperCase() + method.slice(1).toLowerCase();
}
