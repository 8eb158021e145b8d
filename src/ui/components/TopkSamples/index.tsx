import { useMemo } from 'preact/hooks';
import { Figure, Legend } from '../../lib/Figure.js';
import { makeScale } from '../../lib/color.js';
import { InlineTokens } from '../../lib/InlineTokens.js';
import { toCSV } from '../../lib/export.js';
import { displayToken, formatValue } from '../../lib/format.js';

/** One text window: its tokens, a value per token, and the token it was picked for. */
export interface TopkSample {
  tokens: readonly string[];
  values: readonly number[];
  /** Index in `tokens` of the token the sample was picked for (outlined). */
  at?: number;
  /** Shown before the text (default: the value at `at`, or the window's largest). */
  label?: string;
}

export interface TopkSamplesProps {
  /** Most activating first. */
  samples: readonly TopkSample[];
  title?: string;
  subtitle?: string;
  /** What the values are, e.g. "L0 N17 activation". */
  valueLabel?: string;
}

/**
 * The text windows where a neuron (or any per-token value) is largest (CircuitsVis's TopkSamples): one row per
 * window, every token coloured on one diverging scale shared by all rows, the picked token outlined; hover a token
 * for its value.
 */
export function TopkSamples(p: TopkSamplesProps) {
  const scale = useMemo(() => {
    let m = 0;
    for (const s of p.samples) for (const v of s.values) if (Number.isFinite(v)) m = Math.max(m, Math.abs(v));
    return makeScale('diverging', -m, m);
  }, [p.samples]);
  const label = p.valueLabel ?? 'value';
  const peak = (s: TopkSample) => (s.at !== undefined ? s.values[s.at]! : Math.max(...s.values));
  return (
    <Figure title={p.title} subtitle={p.subtitle} name={p.title ?? 'topk-samples'} exports={{
      json: () => p.samples,
      csv: () => toCSV(['sample', 'position', 'token', label, 'picked'], p.samples.flatMap((s, k) => s.tokens.map((t, i) => [k + 1, i, t, s.values[i], i === s.at ? 1 : 0]))),
    }}>
      <div class="cs-topk-samples" style={{ display: 'grid', gridTemplateColumns: 'auto 1fr', gap: '2px 10px', alignItems: 'baseline' }}>
        {p.samples.map((s, k) => [
          <span key={`v${k}`} class="cs-sample-label cs-note" style={{ fontVariantNumeric: 'tabular-nums', textAlign: 'right' }}>{s.label ?? formatValue(peak(s))}</span>,
          <div key={`t${k}`} class="cs-sample" data-sample={k}>
            <InlineTokens tokens={s.tokens} values={s.values} scale={scale} pinned={s.at ?? null} tooltip={(i) => (
              <div><span class="cs-tt-token">{displayToken(s.tokens[i] ?? '')}</span>
                <div>{label} <span class="cs-tt-value">{formatValue(s.values[i] ?? Number.NaN)}</span></div></div>
            )} />
          </div>,
        ])}
      </div>
      <Legend scale={scale} label={label} />
    </Figure>
  );
}

export default TopkSamples;
