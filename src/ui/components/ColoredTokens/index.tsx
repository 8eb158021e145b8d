import { useMemo } from 'preact/hooks';
import { Figure, Legend } from '../../lib/Figure.js';
import { extent, makeScale, textColorOn, type ScaleKind } from '../../lib/color.js';
import { InlineTokens } from '../../lib/InlineTokens.js';
import { displayToken, formatValue } from '../../lib/format.js';
import { toCSV, tokensPicture } from '../../lib/export.js';

export interface ColoredTokensProps {
  tokens: readonly string[];
  /** A value per token `[pos]`. */
  values: readonly number[];
  title?: string;
  /** What the values are (legend and tooltip), e.g. "loss". */
  valueLabel?: string;
  /** Default: diverging when values have both signs, else sequential. */
  scale?: ScaleKind;
  min?: number;
  max?: number;
  onTokenHover?: (i: number | null) => void;
}

/** Text with each token coloured by a value (CircuitsVis's ColoredTokens); hover a token for its value. */
export function ColoredTokens(p: ColoredTokensProps) {
  const scale = useMemo(() => {
    const [lo, hi] = extent(p.values);
    return makeScale(p.scale ?? (lo < 0 && hi > 0 ? 'diverging' : 'sequential'), p.min ?? lo, p.max ?? hi);
  }, [p.values, p.scale, p.min, p.max]);
  const label = p.valueLabel ?? 'value';
  return (
    <Figure title={p.title} name={p.title ?? 'colored-tokens'} exports={{
      json: () => ({ tokens: p.tokens, values: p.values }),
      csv: () => toCSV(['position', 'token', label], p.tokens.map((t, i) => [i, t, p.values[i]])),
      png: () => tokensPicture(p.tokens, (i) => (Number.isFinite(p.values[i]) ? scale.css(p.values[i]!) : null), { title: p.title, textColor: (i) => textColorOn(scale, p.values[i] ?? Number.NaN) }),
    }}>
      <InlineTokens tokens={p.tokens} values={p.values} scale={scale} onHover={p.onTokenHover} tooltip={(i) => (
        <div>
          <span class="cs-tt-token">{displayToken(p.tokens[i] ?? '')}</span> <span class="cs-note">({i})</span>
          <div>{label} <span class="cs-tt-value">{formatValue(p.values[i] ?? Number.NaN)}</span></div>
        </div>
      )} />
      <Legend scale={scale} label={label} />
    </Figure>
  );
}

export default ColoredTokens;
