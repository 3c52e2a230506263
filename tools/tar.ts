// Reads the regular files of a tar archive: what k6 writes for `k6 archive` and uploads to Grafana Cloud k6,
// so the tools and tests can look into every file an archive holds (metadata.json, the script, the sources).
// Go's archive/tar writes USTAR headers, with PAX records or GNU long names when a path is too long.

export interface TarEntry {
  name: string;
  data: Buffer;
}

const BLOCK = 512;

function text(buf: Buffer, start: number, length: number): string {
  const field = buf.subarray(start, start + length);
  const end = field.indexOf(0);
  return field.subarray(0, end < 0 ? field.length : end).toString('utf8');
}

function size(header: Buffer): number {
  // Sizes past 8 GiB use base-256; an archive that big is not a k6 test.
  if (header[124] & 0x80) throw new Error('tar: entry too large');
  const octal = text(header, 124, 12).trim();
  return octal === '' ? 0 : parseInt(octal, 8);
}

/** PAX records are "<length> <key>=<value>\n"; only the path matters here. */
function paxPath(data: Buffer): string | undefined {
  let at = 0;
  while (at < data.length) {
    const space = data.indexOf(0x20, at);
    const length = Number(data.subarray(at, space).toString('ascii'));
    if (space < 0 || !Number.isInteger(length) || length <= 0) break;
    const record = data.subarray(space + 1, at + length - 1).toString('utf8');
    if (record.startsWith('path=')) return record.slice(5);
    at += length;
  }
  return undefined;
}

/** Every regular file, in archive order. Throws on a truncated or malformed archive. */
export function readTar(archive: Buffer): TarEntry[] {
  const entries: TarEntry[] = [];
  let longName: string | undefined;
  for (let at = 0; at + BLOCK <= archive.length;) {
    const header = archive.subarray(at, at + BLOCK);
    if (header.every((b) => b === 0)) break;
    const length = size(header);
    const dataStart = at + BLOCK;
    if (dataStart + length > archive.length) throw new Error('tar: truncated archive');
    const data = archive.subarray(dataStart, dataStart + length);
    at = dataStart + Math.ceil(length / BLOCK) * BLOCK;

    const type = String.fromCharCode(header[156] || 0x30);
    if (type === 'x') {
      longName = paxPath(data) ?? longName;
      continue;
    }
    if (type === 'L') {
      longName = text(data, 0, data.length);
      continue;
    }
    if (type === 'g') continue;
    const prefix = text(header, 345, 155);
    const name = longName ?? (prefix ? `${prefix}/${text(header, 0, 100)}` : text(header, 0, 100));
    longName = undefined;
    if (type === '0' || type === '7') entries.push({ name, data: Buffer.from(data) });
  }
  return entries;
}
