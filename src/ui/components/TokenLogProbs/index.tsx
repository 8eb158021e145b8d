import { useMemo, useState } from 'preact/hooks';
import { Figure, Legend } from '../../lib/Figure.js';
import { makeScale, textColorOn } from '../../lib/color.js';
import { InlineTokens } from '../../lib/InlineTokens.js';
import { displayToken, formatValue } from '../../lib/format.js';
import { toCSV, tokensPicture } from '../../lib/export.js';

/** One position's prediction (the same shape as the engine's prompt view). */
export interface TokenPrediction {
  /** The actual next token's log-probability (natural log; null at the last position). */
  logProb: number | null;
  /** Its rank among the model's predictions, 0 = the top one (null at the last position). */
  rank: number | null;
  /** The top-k next tokens, most likely first, with probabilities. */
  top: readonly { token: string; prob: number }[];
}

export interface TokenLogProbsProps {
  /** The prompt's tokens `[pos]`. */
  tokens: readonly string[];
  /** The prediction made after each position `[pos]` (for token pos + 1). */
  predictions: readonly TokenPrediction[];
  title?: string;
  /** Top of the loss colour scale (default: the largest loss, at least 1). */
  maxLoss?: number;
}

/**
 * The prompt coloured by per-token loss (CircuitsVis's TokenLogProbs): token i is coloured by -log p(token i+1),
 * the loss of the prediction made at i. Hover (or click, to pin) a token for the model's top-k next tokens with
 * their probabilities, and the actual next token's rank and log-probability.
 */
export function TokenLogProbs(p: TokenLogProbsProps) {
  const [pinned, setPinned] = useState<number | null>(null);
  const losses = useMemo(() => p.tokens.map((_, i) => { const lp = p.predictions[i]?.logProb; return lp === null || lp === undefined ? null : -lp; }), [p.tokens, p.predictions]);
  const scale = useMemo(() => {
    let hi = 1;
    for (const l of losses) if (l !== null && l > hi) hi = l;
    return makeScale('sequential', 0, p.maxLoss ?? hi);
  }, [losses, p.maxLoss]);
  const known = losses.filter((l): l is number => l !== null);
  const mean = known.reduce((a, b) => a + b, 0) / Math.max(1, known.length);
  const tooltip = (i: number) => {
    const pred = p.predictions[i];
    const next = p.tokens[i + 1];
    const c = pred && pred.logProb !== null && pred.rank !== null ? { logProb: pred.logProb, rank: pred.rank } : null;
    return (
      <div class="cs-logprobs-tip">
        <div>after <span class="cs-tt-token">{displayToken(p.tokens[i] ?? '')}</span> <span class="cs-note">({i})</span></div>
        {next !== undefined && c && (
          <div class="cs-correct">next <span class="cs-tt-token cs-correct-token">{displayToken(next)}</span>:{' '}
            rank <span class="cs-correct-rank">{c.rank + 1}</span>, log-prob <span class="cs-correct-logprob cs-tt-value">{formatValue(c.logProb)}</span>
            {' '}<span class="cs-note">(p {formatValue(Math.exp(c.logProb))})</span>
          </div>
        )}
        {pred && (
          <table class="cs-topk">
            <tr><td class="cs-note">#</td><td class="cs-note">token</td><td class="cs-note">prob</td><td class="cs-note">log-prob</td></tr>
            {pred.top.map(({ token: t, prob }, r) => (
              <tr key={r} class="cs-topk-row" data-correct={next !== undefined && t === next ? 'true' : undefined}
                style={next !== undefined && t === next ? { fontWeight: 600 } : undefined}>
                <td>{r + 1}</td><td><span class="cs-tt-token cs-topk-token">{displayToken(t)}</span></td>
                <td class="cs-topk-prob">{(prob * 100).toFixed(1)}%</td>
                <td class="cs-topk-logprob">{formatValue(Math.log(prob))}</td>
              </tr>
            ))}
          </table>
        )}
      </div>
    );
  };
  return (
    <Figure title={p.title ?? 'Per-token loss'} subtitle={known.length ? `mean loss ${formatValue(mean)} nats over ${known.length} predictions` : undefined}
      name="token-log-probs" exports={{
        json: () => ({ tokens: p.tokens, predictions: p.predictions }),
        csv: () => toCSV(['position', 'token', 'next_token', 'next_rank', 'next_log_prob', 'loss', 'top1', 'top1_log_prob'],
          p.tokens.map((t, i) => {
            const q = p.predictions[i];
            return [i, t, p.tokens[i + 1], q?.rank === null || q?.rank === undefined ? null : q.rank + 1, q?.logProb, losses[i], q?.top[0]?.token, q?.top[0] ? Math.log(q.top[0].prob) : null];
          })),
        png: () => tokensPicture(p.tokens, (i) => (losses[i] === null ? null : scale.css(losses[i]!)), { title: p.title ?? 'Per-token loss', textColor: (i) => textColorOn(scale, losses[i] ?? Number.NaN) }),
      }}>
      <div class="cs-note" style={{ marginBottom: 4 }}>each token is coloured by the loss of predicting the token after it; hover for the top predictions, click to pin</div>
      <InlineTokens tokens={p.tokens} values={losses} scale={scale} tooltip={tooltip} pinned={pinned}
        onClick={(i) => setPinned(pinned === i ? null : i)} />
      {pinned !== null && <div class="cs-pinned-detail" style={{ marginTop: 8 }}>{tooltip(pinned)}</div>}
      <Legend scale={scale} label="loss (nats)" />
    </Figure>
  );
}

export default TokenLogProbs;
