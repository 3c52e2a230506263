// k6's TLS client options, as Node's tls.connect takes them: `tlsVersion` (one version, or {min, max}),
// `tlsCipherSuites` (Go's names; like Go they limit TLS 1.2 and below, TLS 1.3 keeps its suites) and
// `tlsAuth` (client certificates per domain).
import type { ConnectionOptions } from 'node:tls';

const VERSIONS: Record<string, 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3'> = {
  'tls1.0': 'TLSv1',
  'tls1.1': 'TLSv1.1',
  'tls1.2': 'TLSv1.2',
  'tls1.3': 'TLSv1.3',
};

// Go's crypto/tls names for the TLS 1.0-1.2 suites, and OpenSSL's for the same.
const SUITES: Record<string, string> = {
  TLS_RSA_WITH_RC4_128_SHA: 'RC4-SHA',
  TLS_RSA_WITH_3DES_EDE_CBC_SHA: 'DES-CBC3-SHA',
  TLS_RSA_WITH_AES_128_CBC_SHA: 'AES128-SHA',
  TLS_RSA_WITH_AES_256_CBC_SHA: 'AES256-SHA',
  TLS_RSA_WITH_AES_128_CBC_SHA256: 'AES128-SHA256',
  TLS_RSA_WITH_AES_128_GCM_SHA256: 'AES128-GCM-SHA256',
  TLS_RSA_WITH_AES_256_GCM_SHA384: 'AES256-GCM-SHA384',
  TLS_ECDHE_ECDSA_WITH_RC4_128_SHA: 'ECDHE-ECDSA-RC4-SHA',
  TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA: 'ECDHE-ECDSA-AES128-SHA',
  TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA: 'ECDHE-ECDSA-AES256-SHA',
  TLS_ECDHE_RSA_WITH_RC4_128_SHA: 'ECDHE-RSA-RC4-SHA',
  TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA: 'ECDHE-RSA-DES-CBC3-SHA',
  TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA: 'ECDHE-RSA-AES128-SHA',
  TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA: 'ECDHE-RSA-AES256-SHA',
  TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256: 'ECDHE-ECDSA-AES128-SHA256',
  TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256: 'ECDHE-RSA-AES128-SHA256',
  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: 'ECDHE-RSA-AES128-GCM-SHA256',
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: 'ECDHE-ECDSA-AES128-GCM-SHA256',
  TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384: 'ECDHE-RSA-AES256-GCM-SHA384',
  TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: 'ECDHE-ECDSA-AES256-GCM-SHA384',
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305: 'ECDHE-RSA-CHACHA20-POLY1305',
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256: 'ECDHE-RSA-CHACHA20-POLY1305',
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305: 'ECDHE-ECDSA-CHACHA20-POLY1305',
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: 'ECDHE-ECDSA-CHACHA20-POLY1305',
};
const TLS13 = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'];

interface AuthEntry {
  domains: string[];
  cert: string;
  key: string;
  passphrase?: string;
}

/** The per-connection TLS settings of a run, from its consolidated options. */
export class TLSOptions {
  private base: ConnectionOptions = {};
  private auth: AuthEntry[] = [];

  /** Throws an Error naming the option for a value k6 would refuse. */
  constructor(options: Record<string, unknown> = {}) {
    const v = options.tlsVersion;
    if (v !== undefined && v !== null) {
      const [min, max] =
        typeof v === 'string' ? [v, v] : [(v as { min?: unknown }).min, (v as { max?: unknown }).max];
      if (min !== undefined) this.base.minVersion = version(min);
      if (max !== undefined) this.base.maxVersion = version(max);
    }
    const suites = options.tlsCipherSuites;
    if (suites !== undefined && suites !== null) {
      if (!Array.isArray(suites)) throw new Error('tlsCipherSuites must be a list');
      const names = suites.map((s) => {
        const name = SUITES[String(s)];
        if (!name) throw new Error(`tlsCipherSuites: unknown cipher suite "${String(s)}"`);
        return name;
      });
      this.base.ciphers = [...TLS13, ...names].join(':');
    }
    const auth = options.tlsAuth;
    if (auth !== undefined && auth !== null) {
      if (!Array.isArray(auth)) throw new Error('tlsAuth must be a list');
      this.auth = auth.map((a: Record<string, unknown>, i) => {
        if (typeof a?.cert !== 'string' || typeof a?.key !== 'string')
          throw new Error(`tlsAuth[${i}]: cert and key must be PEM text`);
        const domains = Array.isArray(a.domains) ? a.domains.map((d) => String(d).toLowerCase()) : [];
        const entry: AuthEntry = { domains, cert: a.cert, key: a.key };
        if (typeof a.password === 'string') entry.passphrase = a.password;
        return entry;
      });
    }
  }

  /** tls.connect options for a connection to `host` (its client certificate, if a tlsAuth entry names it). */
  for(host: string): ConnectionOptions {
    const name = host.toLowerCase();
    const a = this.auth.find((e) =>
      e.domains.some((d) => d === name || (d.startsWith('*.') && name.endsWith(d.slice(1)))),
    );
    if (!a) return this.base;
    return { ...this.base, cert: a.cert, key: a.key, passphrase: a.passphrase };
  }
}

function version(v: unknown): 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3' {
  const n = VERSIONS[String(v)];
  if (!n) throw new Error(`tlsVersion: "${String(v)}" is not one of tls1.0, tls1.1, tls1.2, tls1.3`);
  return n;
}
