// Formatting shared by every view: numbers in tooltips and tables, tokens as labels.

/** A number for a tooltip or a table: 4 significant digits, exponent form for very small or large magnitudes. */
export function formatValue(v: number): string {
  if (Number.isNaN(v)) return '—';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '-∞';
  if (Number.isInteger(v) && Math.abs(v) < 1e6) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return v.toExponential(3);
  return String(Number(v.toPrecision(4)));
}

/**
 * A token as a label: spaces become a middle dot (·), newlines ↵, tabs →, other control characters \xNN, so that
 * " the" and "the" differ on an axis. The empty string is shown as ∅.
 */
export function displayToken(s: string): string {
  if (s === '') return '∅';
  return s.replace(/ /g, '·').replace(/\r?\n/g, '↵').replace(/\t/g, '→')
    // eslint-disable-next-line no-control-regex -- control characters are what this makes visible
    .replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** Labels for token ids: their strings when a tokenizer gave them, else the ids themselves ("#17"). */
export function tokenLabels(ids: readonly number[], strTokens?: readonly string[] | null): string[] {
  return ids.map((id, i) => (strTokens && strTokens[i] !== undefined ? strTokens[i]! : `#${id}`));
}

/** A layer/head label as TransformerLens writes them: L1H0. */
export function headLabel(layer: number, head: number): string {
  return `L${layer}H${head}`;
}

/** Clamp `x` to [lo, hi]. */
export function clamp(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}
