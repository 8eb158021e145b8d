import { useMemo, useRef, useState } from 'preact/hooks';
import { Heatmap } from '../Heatmap/index.js';
import { AttentionPattern, type AttentionDirection } from '../AttentionPattern/index.js';
import { makeScale } from '../../lib/color.js';
import { Figure } from '../../lib/Figure.js';
import { TokenStrip } from '../../lib/TokenStrip.js';
import { displayToken } from '../../lib/format.js';
import { gridPicture, toCSV } from '../../lib/export.js';

export interface AttentionHeadsProps {
  tokens: readonly string[];
  /** Every head's pattern `[head][dest][src]`. */
  attention: readonly (readonly (readonly number[])[])[];
  /** A title per head, e.g. "L1H0" (default "H0", "H1", ...). */
  headLabels?: readonly string[];
  title?: string;
  /** Side of each small heatmap in CSS px (default 120). */
  miniSize?: number;
  /** Side of the selected head's detailed heatmap (default 420). */
  size?: number;
  /** The head shown in detail at first (default 0). */
  initialHead?: number;
  onHeadSelect?: (head: number) => void;
}

/**
 * Every head's attention pattern as a grid of small heatmaps, with a token strip: hover a token to outline, in
 * every head, the row of its attention (or, "attended by", the column of what attends to it) and to colour the
 * strip by the selected head's attention. Click a head for its pattern in detail below.
 */
export function AttentionHeads(p: AttentionHeadsProps) {
  const labels = p.headLabels ?? p.attention.map((_, h) => `H${h}`);
  const [head, setHead] = useState(Math.min(p.initialHead ?? 0, Math.max(0, p.attention.length - 1)));
  const [focus, setFocus] = useState<number | null>(null);
  const [dir, setDir] = useState<AttentionDirection>('from');
  const scale = useMemo(() => makeScale('sequential', 0, 1), []);
  const n = p.tokens.length;
  const A = p.attention[head];
  const stripValues = focus === null || !A ? null
    : dir === 'from' ? Array.from({ length: n }, (_, s) => A[focus]?.[s] ?? null)
      : Array.from({ length: n }, (_, d) => A[d]?.[focus] ?? null);
  const select = (h: number) => { setHead(h); p.onHeadSelect?.(h); };
  const grid = useRef<HTMLDivElement>(null);
  const picture = () => {
    const minis = Array.from(grid.current?.querySelectorAll<HTMLCanvasElement>('.cs-mini canvas.cs-cells') ?? []);
    if (minis.length === 0) return null;
    return gridPicture(minis.map((c, h) => ({ title: labels[h] ?? `H${h}`, canvas: c, width: c.getBoundingClientRect().width, height: c.getBoundingClientRect().height })),
      { title: p.title ?? 'Attention patterns' });
  };
  return (
    <Figure title={p.title ?? 'Attention patterns'} subtitle={`${p.attention.length} heads, ${n} tokens`} name="attention-heads"
      exports={{
        json: () => ({ tokens: p.tokens, headLabels: labels, attention: p.attention }),
        csv: () => toCSV(['head', 'dest', 'dest_token', 'src', 'src_token', 'attention'],
          p.attention.flatMap((pat, h) => pat.flatMap((row, d) => row.map((v, s) => [labels[h], d, p.tokens[d], s, p.tokens[s], v])))),
        png: picture,
      }}>
      <div class="cs-controls">
        <span class="cs-focus-text">{focus === null ? 'hover a token' : dir === 'from'
          ? `where ${displayToken(p.tokens[focus] ?? '')} (${focus}) attends in ${labels[head]}`
          : `what attends to ${displayToken(p.tokens[focus] ?? '')} (${focus}) in ${labels[head]}`}</span>
        <button type="button" class="cs-btn" aria-pressed={dir === 'from'} onClick={() => setDir('from')}>attends to</button>
        <button type="button" class="cs-btn" aria-pressed={dir === 'to'} onClick={() => setDir('to')}>attended by</button>
      </div>
      <TokenStrip tokens={p.tokens} values={stripValues} scale={scale} active={focus} onHover={(i) => { if (i !== null) setFocus(i); }} />
      <div class="cs-grid" ref={grid}>
        {p.attention.map((pat, h) => (
          <div key={h} class={`cs-mini${h === head ? ' cs-selected' : ''}`} data-head={h} onClick={() => select(h)}>
            <div class="cs-mini-title">{labels[h]}</div>
            <Heatmap bare labels={false} legend={false} values={pat} size={p.miniSize ?? 120} scale="sequential" min={0} max={1}
              rowLabels={p.tokens} colLabels={p.tokens} rowTitle="destination" colTitle="source" showValues={false}
              highlightRow={dir === 'from' ? focus : null} highlightCol={dir === 'to' ? focus : null}
              onCellHover={(c) => { if (c) setFocus(dir === 'from' ? c.row : c.col); }} />
          </div>
        ))}
      </div>
      {A && (
        <div class="cs-detail" style={{ marginTop: 12 }}>
          <AttentionPattern tokens={p.tokens} attention={A} title={labels[head]} size={p.size ?? 420}
            focus={focus} onFocus={setFocus} direction={dir} controls={false} />
        </div>
      )}
    </Figure>
  );
}

export default AttentionHeads;
