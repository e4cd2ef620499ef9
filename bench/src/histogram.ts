/*
 * A log-linear histogram of durations in microseconds: exact below 512 µs, then 256 buckets per
 * power of two (at most 0.2 % off). Fixed size and mergeable, so that every subscriber process
 * records hundreds of thousands of latencies cheaply and sends only its non-empty buckets.
 */

const LINEAR = 512;
const PER_OCTAVE = 256;
/** Up to 2^31 µs (about 36 minutes); anything longer is counted there. */
const MAX_VALUE = 2 ** 31 - 1;
const SIZE = LINEAR + 22 * PER_OCTAVE;

/** What a histogram sends between processes: non-empty buckets and the exact extremes. */
export interface HistogramData {
  buckets: Array<[index: number, count: number]>;
  count: number;
  sumUs: number;
  minUs: number;
  maxUs: number;
}

/** The usual summary, in milliseconds. */
export interface LatencySummary {
  count: number;
  p50: number;
  p99: number;
  max: number;
  mean: number;
}

export class Histogram {
  private readonly counts = new Uint32Array(SIZE);
  private total = 0;
  private sum = 0;
  private min = Number.POSITIVE_INFINITY;
  private max = 0;

  /** Records a duration given in milliseconds; negative ones (clock noise) count as zero. */
  recordMs(ms: number): void {
    const us = Math.min(MAX_VALUE, Math.max(0, Math.round(ms * 1000)));
    const counts = this.counts;
    const index = bucketOf(us);
    counts[index] = (counts[index] ?? 0) + 1;
    this.total++;
    this.sum += us;
    if (us < this.min) this.min = us;
    if (us > this.max) this.max = us;
  }

  get count(): number {
    return this.total;
  }

  reset(): void {
    this.counts.fill(0);
    this.total = 0;
    this.sum = 0;
    this.min = Number.POSITIVE_INFINITY;
    this.max = 0;
  }

  merge(data: HistogramData): this {
    for (const [index, count] of data.buckets) this.counts[index] = (this.counts[index] ?? 0) + count;
    this.total += data.count;
    this.sum += data.sumUs;
    if (data.count > 0) {
      this.min = Math.min(this.min, data.minUs);
      this.max = Math.max(this.max, data.maxUs);
    }
    return this;
  }

  toData(): HistogramData {
    const buckets: Array<[number, number]> = [];
    this.counts.forEach((count, index) => {
      if (count > 0) buckets.push([index, count]);
    });
    return { buckets, count: this.total, sumUs: this.sum, minUs: this.total ? this.min : 0, maxUs: this.max };
  }

  /** The value below which `percent` of the recordings lie, in milliseconds (0 when empty). */
  percentileMs(percent: number): number {
    if (this.total === 0) return 0;
    const rank = Math.max(1, Math.ceil((percent / 100) * this.total));
    let seen = 0;
    for (let index = 0; index < SIZE; index++) {
      seen += this.counts[index] ?? 0;
      if (seen >= rank) return Math.min(bucketValue(index), this.max) / 1000;
    }
    return this.max / 1000;
  }

  summary(): LatencySummary {
    return {
      count: this.total,
      p50: this.percentileMs(50),
      p99: this.percentileMs(99),
      max: this.max / 1000,
      mean: this.total ? this.sum / this.total / 1000 : 0,
    };
  }

  static from(...data: HistogramData[]): Histogram {
    const histogram = new Histogram();
    for (const part of data) histogram.merge(part);
    return histogram;
  }
}

function bucketOf(us: number): number {
  if (us < LINEAR) return us;
  // The exponent that brings the value into [256, 512): the bucket keeps its top 9 bits.
  const shift = 31 - Math.clz32(us) - 8;
  return LINEAR + (shift - 1) * PER_OCTAVE + ((us >>> shift) - PER_OCTAVE);
}

/** The middle of a bucket, in microseconds. */
function bucketValue(index: number): number {
  if (index < LINEAR) return index;
  const shift = ((index - LINEAR) >> 8) + 1;
  const mantissa = ((index - LINEAR) & (PER_OCTAVE - 1)) + PER_OCTAVE;
  return (mantissa + 0.5) * 2 ** shift;
}
