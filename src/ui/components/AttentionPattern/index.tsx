import { useMemo, useState } from 'preact/hooks';
import { Heatmap } from '../Heatmap/index.js';
import { makeScale } from '../../lib/color.js';
import { TokenStrip } from '../../lib/TokenStrip.js';
import { displayToken } from '../../lib/format.js';

/** Which way a hovered token's attention is shown: where it attends (as destination) or what attends to it. */
export type AttentionDirection = 'from' | 'to';

export interface AttentionPatternProps {
  /** The tokens, one per position. */
  tokens: readonly string[];
  /** One head's pattern `[dest][src]` (rows sum to 1; the masked upper triangle is 0). */
  attention: readonly (readonly number[])[];
  /** e.g. "L1H0". */
  title?: string;
  subtitle?: string;
  /** Largest side of the heatmap in CSS px (default 420). */
  size?: number;
  /** Colour range top (default 1: attention is a probability). */
  maxValue?: number;
  /** Hovered destination (row) and source (column), driven from outside. */
  focus?: number | null;
  /** Controlled direction (default: the component's own buttons). */
  direction?: AttentionDirection;
  onFocus?: (token: number | null) => void;
  /** Show the direction buttons and the token strip (default true; false when a parent shows its own). */
  controls?: boolean;
}

/**
 * One head's attention pattern in detail: destination x source heatmap with token labels, and a token strip.
 * Hover a token in the strip (or a heatmap row) to colour the strip by where it attends; switch to "attended by"
 * to colour by what attends to it.
 */
export function AttentionPattern(p: AttentionPatternProps) {
  const [own, setOwn] = useState<number | null>(null);
  const [ownDir, setDir] = useState<AttentionDirection>('from');
  const dir = p.direction ?? ownDir;
  const focus = p.focus !== undefined ? p.focus : own;
  const setFocus = (i: number | null) => { setOwn(i); p.onFocus?.(i); };
  const scale = useMemo(() => makeScale('sequential', 0, p.maxValue ?? 1), [p.maxValue]);
  const n = p.tokens.length;
  const stripValues = focus === null || focus === undefined ? null
    : dir === 'from' ? Array.from({ length: n }, (_, s) => p.attention[focus]?.[s] ?? null)
      : Array.from({ length: n }, (_, d) => p.attention[d]?.[focus] ?? null);
  const focusText = focus === null || focus === undefined ? 'hover a token'
    : dir === 'from' ? `where ${displayToken(p.tokens[focus] ?? '')} (${focus}) attends`
      : `what attends to ${displayToken(p.tokens[focus] ?? '')} (${focus})`;
  return (
    <div class="cs-root cs-attention-pattern">
      {p.controls !== false && (
        <div class="cs-controls">
          <span class="cs-focus-text">{focusText}</span>
          {!p.direction && <button type="button" class="cs-btn" aria-pressed={dir === 'from'} onClick={() => setDir('from')}>attends to</button>}
          {!p.direction && <button type="button" class="cs-btn" aria-pressed={dir === 'to'} onClick={() => setDir('to')}>attended by</button>}
        </div>
      )}
      {p.controls !== false && <TokenStrip tokens={p.tokens} values={stripValues} scale={scale} active={focus} onHover={(i) => { if (i !== null) setFocus(i); }} />}
      <Heatmap values={p.attention} rowLabels={p.tokens} colLabels={p.tokens} rowTitle="destination" colTitle="source"
        title={p.title} subtitle={p.subtitle} scale="sequential" min={0} max={p.maxValue ?? 1} size={p.size ?? 420}
        showValues={false} legendLabel="attention" name={p.title ? `attention-${p.title}` : 'attention'}
        highlightRow={dir === 'from' ? focus : null} highlightCol={dir === 'to' ? focus : null}
        onCellHover={(c) => { if (c) setFocus(dir === 'from' ? c.row : c.col); }} />
    </div>
  );
}

export default AttentionPattern;
