import { readFile } from 'node:fs/promises';
import { loadModel } from '../../io/loadModel.js';
import { compareLogits, referenceLogits, referenceTokens } from '../../model/import/parity.js';
import { parseSafetensors } from '../../model/safetensors.js';
import { parseCommandArgs } from '../args.js';
import { UsageError } from '../errors.js';

export const PARITY_HELP = `circuitscope parity DIR --reference FILE [--tokens 1,2,3] [--json]

Runs the model in DIR (any format circuitscope reads: a Hugging Face directory, a TransformerLens state dict, a
run) on the reference's tokens and compares its logits with the reference logits in FILE (safetensors with
\`logits\` [batch, pos, vocab] and \`input_ids\` or \`tokens\` [batch, pos]). Prints per position the worst
absolute error, the worst error relative to the position's largest reference logit, whether the top-1 tokens
agree and KL(reference || model), then the totals. Make a reference with Hugging Face transformers:

  m = transformers.AutoModelForCausalLM.from_pretrained(DIR, torch_dtype=torch.float32)
  ids = torch.tensor([[1, 450, 4996, 17354, 1701, 29916]])
  safetensors.torch.save_file({'input_ids': ids, 'logits': m(ids).logits.detach().contiguous()}, 'ref.safetensors')

  --reference FILE  the reference logits (required)
  --tokens IDS      comma-separated token ids, when FILE has none (one sequence)
  --json            the report as JSON`;

export async function parityCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('parity', {
    args: argv, allowPositionals: true,
    options: { reference: { type: 'string' }, tokens: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    console.log(PARITY_HELP);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError(`parity: expected one model directory, got ${positionals.length} (see circuitscope parity --help)`);
  if (!values.reference) throw new UsageError('parity: --reference FILE is required (safetensors with logits and input_ids)');
  const dir = positionals[0]!;
  const path = values.reference;
  const bytes = await readFile(path).catch((e: NodeJS.ErrnoException) => {
    throw new UsageError(`parity: --reference ${path}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`);
  });
  const ref = parseSafetensors(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), path).tensors;
  let tokens = referenceTokens(ref, path);
  if (values.tokens !== undefined) {
    const ids = values.tokens.split(',').map((s) => Number(s.trim()));
    if (ids.length === 0 || ids.some((x) => !Number.isInteger(x) || x < 0)) throw new UsageError(`parity: --tokens expects comma-separated non-negative integers, got ${values.tokens}`);
    if (tokens && JSON.stringify(tokens) !== JSON.stringify([ids])) throw new UsageError(`parity: --tokens differ from the input_ids in ${path}`);
    tokens = [ids];
  }
  if (!tokens) throw new UsageError(`parity: ${path} has no input_ids or tokens; give them with --tokens`);
  const model = await loadModel(dir);
  const V = model.cfg.d_vocab;
  for (const row of tokens) {
    if (row.length > model.cfg.n_ctx) throw new UsageError(`parity: ${row.length} tokens is more than the model's n_ctx (${model.cfg.n_ctx})`);
    const bad = row.find((x) => x >= V);
    if (bad !== undefined) throw new UsageError(`parity: token id ${bad} is not below the model's d_vocab (${V})`);
  }
  const logits = await model.run(tokens);
  const report = compareLogits(logits, referenceLogits(ref, path), path);
  if (values.json) {
    console.log(JSON.stringify(report));
    return 0;
  }
  console.log('batch  pos   max |abs err|   max rel err   top-1   KL(ref||model)');
  for (const p of report.positions) {
    console.log(`${String(p.batch).padStart(5)} ${String(p.pos).padStart(4)}   ${p.maxAbs.toExponential(2).padStart(13)}   ${p.maxRel.toExponential(2).padStart(11)}   ${p.top1Agrees ? 'same ' : 'DIFF '}   ${p.kl.toExponential(2)}`);
  }
  console.log(`worst absolute error ${report.maxAbs.toExponential(2)}, worst relative ${report.maxRel.toExponential(2)}, ` +
    `top-1 agreement ${(100 * report.top1Agreement).toFixed(1)}% of ${report.positions.length} positions, ` +
    `KL mean ${report.meanKl.toExponential(2)} max ${report.maxKl.toExponential(2)} nats`);
  return 0;
}
