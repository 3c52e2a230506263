// Shapes shared by every part of the runner: the VU layer produces samples, the metrics engine consumes them.
export type MetricType = 'counter' | 'gauge' | 'rate' | 'trend';
export type Contains = 'default' | 'time' | 'data';

export interface MetricDef {
  name: string;
  type: MetricType;
  contains: Contains;
}

export interface Sample {
  metric: string;
  /** epoch milliseconds (float: sub-millisecond precision is kept for --out json) */
  time: number;
  value: number;
  tags: Record<string, string>;
  metadata?: Record<string, string>;
}
