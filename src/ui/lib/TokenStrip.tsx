import type { ColorScale } from './color.js';
import { textColorOn } from './color.js';
import { displayToken, formatValue } from './format.js';

export interface TokenStripProps {
  tokens: readonly string[];
  /** A value per token (colours it), or null for plain tokens. */
  values?: readonly (number | null)[] | null;
  scale: ColorScale;
  active?: number | null;
  pinned?: number | null;
  onHover?: (i: number | null) => void;
  onClick?: (i: number) => void;
  /** Tooltip text (the title attribute) of token i. */
  describe?: (i: number) => string;
}

/** A row of tokens as boxes, optionally coloured by a value each; hover and click report the index. */
export function TokenStrip({ tokens, values, scale, active, pinned, onHover, onClick, describe }: TokenStripProps) {
  return (
    <div class="cs-strip" onMouseLeave={() => onHover?.(null)}>
      {tokens.map((t, i) => {
        const v = values?.[i];
        const has = v !== null && v !== undefined && !Number.isNaN(v);
        return (
          <span key={i} class={`cs-token${active === i ? ' cs-active' : ''}${pinned === i ? ' cs-pinned' : ''}`} data-index={i}
            data-value={has ? String(v) : undefined}
            title={describe ? describe(i) : has ? `${displayToken(t)} (${i}): ${formatValue(v)}` : `${displayToken(t)} (${i})`}
            style={has ? { background: scale.css(v), color: textColorOn(scale, v) } : undefined}
            onMouseEnter={() => onHover?.(i)} onClick={() => onClick?.(i)}>{displayToken(t)}</span>
        );
      })}
    </div>
  );
}
