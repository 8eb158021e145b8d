import { useMemo, useState } from 'preact/hooks';
import { Figure, Legend } from '../../lib/Figure.js';
import { makeScale, textColorOn } from '../../lib/color.js';
import { toCSV } from '../../lib/export.js';
import { displayToken, formatValue } from '../../lib/format.js';

export interface TokenValue { token: string; value: number }

export interface TopkItem {
  /** e.g. "L0H1" or "L0 N17". */
  label: string;
  /** The k highest-valued tokens, highest first. */
  top: readonly TokenValue[];
  /** Optionally the k lowest, lowest first. */
  bottom?: readonly TokenValue[];
}

export interface TopkTokensProps {
  items: readonly TopkItem[];
  title?: string;
  subtitle?: string;
  /** What the values are, e.g. "OV diagonal" or "activation". */
  valueLabel?: string;
  /** Columns shown before "show all" (default 12). */
  pageSize?: number;
}

/**
 * The top (and bottom) tokens of many heads or neurons side by side, each coloured by its value (CircuitsVis's
 * TopkTokens): one column per item, a filter by label.
 */
export function TopkTokens(p: TopkTokensProps) {
  const [query, setQuery] = useState('');
  const [all, setAll] = useState(false);
  const scale = useMemo(() => {
    let m = 0;
    for (const it of p.items) for (const t of [...it.top, ...(it.bottom ?? [])]) m = Math.max(m, Math.abs(t.value));
    return makeScale('diverging', -m, m);
  }, [p.items]);
  const q = query.trim().toLowerCase();
  const shown = p.items.filter((it) => !q || it.label.toLowerCase().includes(q));
  const size = p.pageSize ?? 12;
  const visible = all ? shown : shown.slice(0, size);
  const cell = (t: TokenValue, i: number) => (
    <div key={i} class="cs-topk-cell" data-value={t.value} title={`${displayToken(t.token)}: ${formatValue(t.value)}`}
      style={{ background: scale.css(t.value), color: textColorOn(scale, t.value), padding: '1px 4px', display: 'flex', justifyContent: 'space-between', gap: 8 }}>
      <span class="cs-topk-token" style={{ fontFamily: 'inherit' }}>{displayToken(t.token)}</span>
      <span class="cs-topk-value" style={{ fontVariantNumeric: 'tabular-nums', opacity: 0.85 }}>{formatValue(t.value)}</span>
    </div>
  );
  return (
    <Figure title={p.title} subtitle={p.subtitle} name={p.title ?? 'topk-tokens'} exports={{
      json: () => p.items,
      csv: () => toCSV(['item', 'end', 'rank', 'token', p.valueLabel ?? 'value'], p.items.flatMap((it) => [
        ...it.top.map((t, r) => [it.label, 'top', r + 1, t.token, t.value]),
        ...(it.bottom ?? []).map((t, r) => [it.label, 'bottom', r + 1, t.token, t.value]),
      ])),
    }}>
      {p.items.length > size && (
        <div class="cs-controls">
          <input type="search" class="cs-search" placeholder="filter by name" value={query} onInput={(e) => setQuery((e.currentTarget as HTMLInputElement).value)} />
          <span class="cs-note">{shown.length} of {p.items.length}</span>
        </div>
      )}
      <div class="cs-topk-grid" style={{ display: 'flex', flexWrap: 'wrap', gap: 10, fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace', fontSize: 12 }}>
        {visible.map((it) => (
          <div key={it.label} class="cs-topk-item" data-label={it.label} style={{ minWidth: 110 }}>
            <div class="cs-mini-title">{it.label}</div>
            {it.top.map(cell)}
            {it.bottom && it.bottom.length > 0 && <div style={{ borderTop: '1px dashed #bbb', margin: '3px 0' }} />}
            {it.bottom?.map(cell)}
          </div>
        ))}
      </div>
      {shown.length > size && <button type="button" class="cs-btn cs-show-all" style={{ marginTop: 6 }} onClick={() => setAll(!all)}>{all ? `show ${size}` : `show all ${shown.length}`}</button>}
      <Legend scale={scale} label={p.valueLabel} />
    </Figure>
  );
}

export default TopkTokens;
