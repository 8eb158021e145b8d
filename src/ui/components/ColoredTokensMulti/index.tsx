import { useMemo, useState } from 'preact/hooks';
import { Figure, Legend } from '../../lib/Figure.js';
import { extent, makeScale, textColorOn, type ScaleKind } from '../../lib/color.js';
import { InlineTokens } from '../../lib/InlineTokens.js';
import { displayToken, formatValue } from '../../lib/format.js';
import { toCSV, tokensPicture } from '../../lib/export.js';

export interface ColoredTokensMultiProps {
  tokens: readonly string[];
  /** Several values per token `[pos][series]`. */
  values: readonly (readonly number[])[];
  /** A name per series `[series]`. */
  labels: readonly string[];
  title?: string;
  /** The series that colours the text at first (default 0). */
  initial?: number;
  scale?: ScaleKind;
}

/**
 * Text coloured by one of several series per token, picked from a list (CircuitsVis's ColoredTokensMulti); hover
 * a token for all its values.
 */
export function ColoredTokensMulti(p: ColoredTokensMultiProps) {
  const [k, setK] = useState(p.initial ?? 0);
  const col = useMemo(() => p.tokens.map((_, i) => p.values[i]?.[k] ?? Number.NaN), [p.tokens, p.values, k]);
  const scale = useMemo(() => {
    const [lo, hi] = extent(col);
    return makeScale(p.scale ?? (lo < 0 && hi > 0 ? 'diverging' : 'sequential'), lo, hi);
  }, [col, p.scale]);
  return (
    <Figure title={p.title} name={p.title ?? 'colored-tokens'} exports={{
      json: () => ({ tokens: p.tokens, labels: p.labels, values: p.values }),
      csv: () => toCSV(['position', 'token', ...p.labels], p.tokens.map((t, i) => [i, t, ...(p.values[i] ?? [])])),
      png: () => tokensPicture(p.tokens, (i) => (Number.isFinite(col[i]) ? scale.css(col[i]!) : null), { title: `${p.title ? `${p.title}: ` : ''}${p.labels[k] ?? ''}`, textColor: (i) => textColorOn(scale, col[i] ?? Number.NaN) }),
    }}>
      <div class="cs-controls">
        <label>colour by <select class="cs-series" value={String(k)} onChange={(e) => setK(Number((e.currentTarget as HTMLSelectElement).value))}>
          {p.labels.map((l, i) => <option key={i} value={String(i)}>{l}</option>)}
        </select></label>
      </div>
      <InlineTokens tokens={p.tokens} values={col} scale={scale} tooltip={(i) => (
        <div>
          <span class="cs-tt-token">{displayToken(p.tokens[i] ?? '')}</span> <span class="cs-note">({i})</span>
          <table>{p.labels.map((l, s) => (
            <tr key={s} class={s === k ? 'cs-tt-value' : ''}><td>{l}</td><td class="cs-num" data-series={s}>{formatValue(p.values[i]?.[s] ?? Number.NaN)}</td></tr>
          ))}</table>
        </div>
      )} />
      <Legend scale={scale} label={p.labels[k]} />
    </Figure>
  );
}

export default ColoredTokensMulti;
