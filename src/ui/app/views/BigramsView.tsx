import { BigramCompare, Heatmap } from '../../components/index.js';
import { Explain, Status, useRequest, type ViewProps } from './common.js';

/** The model's bigram table (a zero-layer model's own predictions, else its direct path) beside the corpus's. */
export function BigramsView({ engine, info }: ViewProps) {
  const r = useRequest(() => engine.request({ type: 'bigrams' }), 'bigrams');
  const v = r.value;
  const L = Number(info.config['n_layers']);
  return (
    <section>
      <h2>Zero-layer: bigrams</h2>
      <Explain>{L === 0
        ? 'A zero-layer transformer sees only the current token: embed, unembed, nothing between. The best it can do is predict the next token from the current one, the corpus\'s bigram statistics. Its next-token log-probabilities beside the corpus\'s:'
        : `This model has ${L} layer${L > 1 ? 's' : ''}; its direct path (W_E → ln_final → W_U, no attention, positional embeddings left out) is the part of it that acts as a zero-layer model, and usually approximates bigram statistics. The direct path's log-probabilities beside the corpus's:`}</Explain>
      <Status {...r}>{v && (
        <>
          {v.pearson !== null && (
            <p class="app-result" data-testid="bigram-correlation">Over the pairs seen at least {v.minCount} times among the corpus's {v.compared} most frequent
              tokens ({v.pairs.toLocaleString('en')} pairs, as <code>reproduce</code> measures it): Pearson <b>{v.pearson.toFixed(3)}</b>, Spearman {v.spearman!.toFixed(3)}
              {v.kl !== null && <>, KL(corpus ‖ model) {v.kl.toFixed(3)} nats</>}. Corpus: {v.corpusName}, {v.corpusTokens.toLocaleString('en')} tokens.
              The tables show the {v.tokens.length} most frequent tokens (their own correlation beside the title; blank: never seen).</p>
          )}
          {v.corpus
            ? <BigramCompare tokens={v.tokens} model={v.model} corpus={v.corpus} size={380}
              title={`${v.source === 'model' ? 'The model' : 'The direct path'} vs the corpus: log P(next | current) over the ${v.tokens.length} most frequent tokens`} />
            : (
              <>
                <Explain>No corpus for this model (it has no tokenizer, or no corpus file is served beside the app): its table alone, over token ids 0..{v.tokens.length - 1}.</Explain>
                <Heatmap values={v.model} rowLabels={v.tokens} colLabels={v.tokens} rowTitle="current token" colTitle="next token" size={420}
                  title={`${v.source === 'model' ? 'The model' : 'The direct path'}: log P(next | current)`} scale="sequential" legendLabel="log-probability" name="bigrams-model" />
              </>
            )}
        </>
      )}</Status>
    </section>
  );
}
