// k6 execution segments: how k6 hands each of N instances its share of VUs and iterations.
//
// A sequence such as 0,1/4,2/4,3/4,1 cuts [0,1) into segments. k6 does not give segment i a contiguous block
// of "things" (VUs, iteration numbers); it stripes them: over a cycle of `lcd` positions (lcd = least common
// denominator of the segment lengths) each segment owns `length * lcd` positions, interleaved so that every
// prefix is shared out as evenly as whole numbers allow. Thing number k belongs to the owner of k mod lcd.
// Rates are divided the same way: arrival-rate iteration k starts at k * timeUnit / rate on the instance that
// owns k, so a rate of 3/s over 4 equal segments leaves one instance with no iteration in some seconds.

export class SegmentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SegmentError';
  }
}

export interface Fraction {
  num: number;
  den: number;
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return Math.abs(a);
}

function lcm(a: number, b: number): number {
  return (a / gcd(a, b)) * b;
}

export function fraction(num: number, den: number): Fraction {
  if (!Number.isSafeInteger(num) || !Number.isSafeInteger(den) || den <= 0) {
    throw new SegmentError(`not a fraction: ${num}/${den}`);
  }
  const g = gcd(num, den) || 1;
  return { num: num / g, den: den / g };
}

function compare(a: Fraction, b: Fraction): number {
  return a.num * b.den - b.num * a.den;
}

function subtract(a: Fraction, b: Fraction): Fraction {
  return fraction(a.num * b.den - b.num * a.den, a.den * b.den);
}

export function formatFraction(f: Fraction): string {
  return f.den === 1 ? String(f.num) : `${f.num}/${f.den}`;
}

/** The forms k6 accepts for a segment boundary: "1/4", "0.25", "25%", "0", "1". */
export function parseFraction(text: string): Fraction {
  const t = text.trim();
  let m = /^(\d+)\s*\/\s*(\d+)$/.exec(t);
  let f: Fraction | undefined;
  if (m && Number(m[2]) > 0) f = fraction(Number(m[1]), Number(m[2]));
  else if ((m = /^(\d+)(?:\.(\d+))?(%?)$/.exec(t))) {
    const decimals = m[2] ?? '';
    const scale = 10 ** decimals.length * (m[3] ? 100 : 1);
    f = fraction(Number(m[1] + decimals), scale);
  }
  if (!f || compare(f, fraction(1, 1)) > 0) {
    throw new SegmentError(`"${text}" is not a segment boundary between 0 and 1 (such as 1/4, 0.25 or 25%)`);
  }
  return f;
}

/** "0,1/4,1/2,1" → boundaries; 0 and 1 are added when missing, as k6 does. */
export function parseSequence(text: string): Fraction[] {
  const points = text
    .split(',')
    .filter((p) => p.trim() !== '')
    .map(parseFraction);
  if (points.length === 0 || points[0].num !== 0) points.unshift(fraction(0, 1));
  if (compare(points[points.length - 1], fraction(1, 1)) !== 0) points.push(fraction(1, 1));
  for (let i = 1; i < points.length; i++) {
    if (compare(points[i - 1], points[i]) >= 0) {
      throw new SegmentError(`segment sequence "${text}" must increase strictly`);
    }
  }
  return points;
}

/** The sequence k6-operator passes for parallelism n: 0,1/n,2/n,...,1. */
export function equalSequence(n: number): Fraction[] {
  if (!Number.isInteger(n) || n < 1)
    throw new SegmentError(`parallelism must be a whole number >= 1, got ${n}`);
  return Array.from({ length: n + 1 }, (_, i) => fraction(i, n));
}

/** The flags k6-operator gives instance `index` (1-based) of `n`. */
export function instanceFlags(index: number, n: number): string[] {
  const seq = equalSequence(n).map(formatFraction);
  return [
    `--execution-segment=${seq[index - 1]}:${seq[index]}`,
    `--execution-segment-sequence=${seq.join(',')}`,
  ];
}

export class StripedSequence {
  readonly points: Fraction[];
  readonly lcd: number;
  /** owner[p] = index of the segment that owns position p of each cycle. */
  readonly owner: number[];
  private readonly owned = new Map<number, number[]>();

  constructor(points: Fraction[]) {
    this.points = points;
    const lengths = points.slice(1).map((p, i) => subtract(p, points[i]));
    this.lcd = lengths.reduce((acc, l) => lcm(acc, l.den), 1);
    const shares = lengths.map((l) => (l.num * this.lcd) / l.den);
    // Bigger segments choose first; equal ones keep their order in the sequence.
    const order = shares.map((_, i) => i).sort((a, b) => shares[b] - shares[a] || a - b);
    const taken = shares.map(() => 0);
    this.owner = [];
    for (let p = 0; p < this.lcd; p++) {
      // A segment is due at position p once p >= taken * lcd / share, i.e. it is behind its fair share.
      const i = order.find(
        (s) => shares[s] > 0 && taken[s] < shares[s] && p * shares[s] >= taken[s] * this.lcd,
      );
      if (i === undefined) throw new SegmentError(`no segment is due at position ${p} of ${this.lcd}`);
      taken[i]++;
      this.owner.push(i);
    }
  }

  get size(): number {
    return this.points.length - 1;
  }

  length(index: number): Fraction {
    return subtract(this.points[index + 1], this.points[index]);
  }

  /** Positions of one cycle owned by segment `index`, ascending. */
  positions(index: number): number[] {
    let own = this.owned.get(index);
    if (!own) {
      own = this.owner.flatMap((o, p) => (o === index ? [p] : []));
      this.owned.set(index, own);
    }
    return own;
  }

  /** How many of `value` things (numbered 0..value-1) segment `index` gets: k6's ScaleInt64. */
  scale(index: number, value: number): number {
    const own = this.positions(index);
    const rest = value % this.lcd;
    let lo = 0;
    let hi = own.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (own[mid] < rest) lo = mid + 1;
      else hi = mid;
    }
    return Math.floor(value / this.lcd) * own.length + lo;
  }

  /** The fewest things segment `index` gets among any `width` consecutively numbered ones. */
  minInWindow(index: number, width: number): number {
    let min = Infinity;
    for (let start = 0; start < this.lcd; start++) {
      min = Math.min(min, this.scale(index, start + width) - this.scale(index, start));
    }
    return min;
  }
}
