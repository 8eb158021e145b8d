import { AttentionHeads, TokenLogProbs } from '../../components/index.js';
import { Explain, Status, useRequest, type ViewProps } from './common.js';

/** The prompt coloured by per-token loss, with the model's predictions on hover. */
export function PromptView({ engine, prompt }: ViewProps) {
  const r = useRequest(() => engine.request({ type: 'prompt', text: prompt }), prompt);
  return (
    <section>
      <h2>Prompt</h2>
      <Explain>Each token is coloured by the loss of predicting the token after it. Hover a token for the model's top predictions there, and the rank and log-probability of the token that came.</Explain>
      <Status {...r}>{r.value && <TokenLogProbs tokens={r.value.tokens} predictions={r.value.predictions} title="Per-token loss" />}</Status>
    </section>
  );
}

/** Every head's attention pattern on the prompt, layer by layer. */
export function AttentionView({ engine, prompt, route, go }: ViewProps) {
  const r = useRequest(() => engine.request({ type: 'prompt', text: prompt }), prompt);
  const v = r.value;
  return (
    <section>
      <h2>Attention</h2>
      <Explain>Every head's pattern (row: the destination token, column: the source it reads). Hover a token in the strip to see where it attends, or what attends to it, in every head; click a head for its pattern in detail.</Explain>
      <Status {...r}>{v && v.attention.length === 0 && <Explain>This model has no attention layers.</Explain>}
        {v && v.attention.length > 0 && (
          <>
            <p class="app-picker">layer {v.attention.map((_, l) => (
              <button type="button" class="cs-btn" aria-pressed={l === route.layer} onClick={() => go({ layer: l, head: 0 })}>{l}</button>))}
            </p>
            <AttentionHeads key={route.layer} tokens={v.tokens} attention={v.attention[Math.min(route.layer, v.attention.length - 1)]!}
              headLabels={v.headLabels[Math.min(route.layer, v.attention.length - 1)]} title={`Layer ${route.layer} attention`}
              initialHead={route.head} onHeadSelect={(h) => go({ head: h })} />
          </>
        )}
      </Status>
    </section>
  );
}
