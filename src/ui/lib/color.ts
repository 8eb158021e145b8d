// Colour scales: diverging (blue, white at the centre, red) and sequential (white to blue), as 256-entry lookup
// tables so that a million cells colour in a few milliseconds.

export type ScaleKind = 'diverging' | 'sequential';

type RGB = readonly [number, number, number];

const DIVERGING: readonly RGB[] = [
  [33, 82, 140], [103, 152, 198], [197, 218, 235], [247, 247, 247], [244, 204, 185], [214, 121, 94], [160, 40, 40],
];
const SEQUENTIAL: readonly RGB[] = [
  [250, 250, 250], [205, 222, 238], [131, 173, 212], [62, 118, 175], [24, 64, 120],
];

function lut(stops: readonly RGB[]): Uint8ClampedArray {
  const out = new Uint8ClampedArray(256 * 4);
  for (let i = 0; i < 256; i++) {
    const t = (i / 255) * (stops.length - 1);
    const k = Math.min(stops.length - 2, Math.floor(t));
    const f = t - k;
    const a = stops[k]!;
    const b = stops[k + 1]!;
    out[i * 4] = a[0] + (b[0] - a[0]) * f;
    out[i * 4 + 1] = a[1] + (b[1] - a[1]) * f;
    out[i * 4 + 2] = a[2] + (b[2] - a[2]) * f;
    out[i * 4 + 3] = 255;
  }
  return out;
}

const LUTS: Record<ScaleKind, Uint8ClampedArray> = { diverging: lut(DIVERGING), sequential: lut(SEQUENTIAL) };

/** A scale maps a value to [0, 1] and a colour; diverging scales are symmetric about `center` (default 0). */
export interface ColorScale {
  kind: ScaleKind;
  min: number;
  max: number;
  center: number;
  /** Position in [0, 1] of a value on the legend. */
  position(v: number): number;
  /** Index into the lookup table (0..255), or -1 for NaN. */
  index(v: number): number;
  lut: Uint8ClampedArray;
  /** CSS colour of a value. */
  css(v: number): string;
  /** CSS linear-gradient for the legend bar (left: min, right: max). */
  gradient(): string;
}

/** The finite min and max of some values (0, 0 when there are none). */
export function extent(values: Iterable<number>): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo === Infinity ? [0, 0] : [lo, hi];
}

/**
 * A colour scale for values in [lo, hi]. Diverging: symmetric about `center` (0 unless given), from
 * center - m to center + m with m the largest distance from the centre. Sequential: lo to hi as given.
 */
export function makeScale(kind: ScaleKind, lo: number, hi: number, center = 0): ColorScale {
  let min = lo;
  let max = hi;
  if (kind === 'diverging') {
    const m = Math.max(Math.abs(lo - center), Math.abs(hi - center)) || 1;
    min = center - m;
    max = center + m;
  } else if (!(max > min)) {
    max = min + 1;
  }
  const table = LUTS[kind];
  const span = max - min;
  const position = (v: number) => Math.min(1, Math.max(0, (v - min) / span));
  const index = (v: number) => (Number.isNaN(v) ? -1 : Math.round(position(v) * 255));
  return {
    kind, min, max, center, position, index, lut: table,
    css(v) {
      const i = index(v);
      if (i < 0) return 'transparent';
      return `rgb(${table[i * 4]}, ${table[i * 4 + 1]}, ${table[i * 4 + 2]})`;
    },
    gradient() {
      const n = 8;
      const stops = Array.from({ length: n + 1 }, (_, k) => {
        const i = Math.round((k / n) * 255);
        return `rgb(${table[i * 4]}, ${table[i * 4 + 1]}, ${table[i * 4 + 2]}) ${(k / n) * 100}%`;
      });
      return `linear-gradient(to right, ${stops.join(', ')})`;
    },
  };
}

/** Text colour readable on a background of this lookup index: white on dark cells. */
export function textColorOn(scale: ColorScale, v: number): string {
  const i = scale.index(v);
  if (i < 0) return '#333';
  const t = scale.lut;
  const lum = 0.299 * t[i * 4]! + 0.587 * t[i * 4 + 1]! + 0.114 * t[i * 4 + 2]!;
  return lum < 140 ? '#fff' : '#222';
}
