import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { textColorOn, type ColorScale } from './color.js';

export interface InlineTokensProps {
  tokens: readonly string[];
  /** A value per token, coloured on `scale` (null: uncoloured). */
  values: readonly (number | null | undefined)[];
  scale: ColorScale;
  /** The tooltip of token i. */
  tooltip: (i: number) => ComponentChildren;
  pinned?: number | null;
  onHover?: (i: number | null) => void;
  onClick?: (i: number) => void;
}

/** Tokens as running text (whitespace kept), each coloured by its value, with a tooltip on hover. */
export function InlineTokens({ tokens, values, scale, tooltip, pinned, onHover, onClick }: InlineTokensProps) {
  const [hover, setHover] = useState<{ i: number; x: number; y: number } | null>(null);
  const shown = hover?.i ?? pinned ?? null;
  return (
    <div style={{ position: 'relative' }} onMouseLeave={() => { setHover(null); onHover?.(null); }}>
      <div class="cs-tokens">
        {tokens.map((t, i) => {
          const v = values[i];
          const has = v !== null && v !== undefined && !Number.isNaN(v);
          return (
            <span key={i} class={`cs-token${shown === i ? ' cs-active' : ''}${pinned === i ? ' cs-pinned' : ''}`} data-index={i}
              data-value={has ? String(v) : undefined}
              style={has ? { background: scale.css(v), color: textColorOn(scale, v) } : undefined}
              onMouseEnter={(e) => {
                const el = e.currentTarget as HTMLElement;
                const parent = el.offsetParent as HTMLElement | null;
                void parent;
                setHover({ i, x: el.offsetLeft, y: el.offsetTop + el.offsetHeight + 4 });
                onHover?.(i);
              }}
              onClick={() => onClick?.(i)}>{t === '' ? '∅' : t.replace(/\n/g, '↵\n')}</span>
          );
        })}
      </div>
      {hover && <div class="cs-tooltip" data-index={hover.i} style={{ left: hover.x, top: hover.y }}>{tooltip(hover.i)}</div>}
    </div>
  );
}
