import type { HookedTransformer } from '../model/hookedTransformer.js';
import { headId } from '../model/heads.js';
import { eigenvalues } from '../linalg/eigenvalues.js';
import { stackedMatrix } from '../linalg/matrix.js';
import { ovCores } from './ovCores.js';
import { copyingScore } from '../linalg/factored.js';

export interface CopyingScores {
  /** Re(Σλ) / Σ|λ| of each head's full OV circuit, `[layer][head]`, in [-1, 1]: 1 for a pure copying head. */
  scores: number[][];
  /** The non-zero eigenvalues (d_head of them) of each head's full OV circuit, for plotting. */
  eigenvalues: { re: number[]; im: number[] }[][];
}

/**
 * Copying scores ("A Mathematical Framework"): a head whose OV circuit W_E W_OV W_U maps each token to itself has
 * eigenvalues with large positive real parts. Computed on the d_head x d_head core W_O W_U W_E W_V, whose
 * eigenvalues are the circuit's non-zero ones, never on the d_vocab x d_vocab matrix.
 */
export async function copyingScores(model: HookedTransformer): Promise<CopyingScores> {
  const { n_layers: L, n_heads: H } = model.cfg;
  const cores = await ovCores(model);
  const scores: number[][] = [];
  const eig: { re: number[]; im: number[] }[][] = [];
  for (let l = 0; l < L; l++) {
    scores.push([]);
    eig.push([]);
    for (let h = 0; h < H; h++) {
      const ev = eigenvalues(stackedMatrix(cores, headId(model.cfg, l, h).index));
      scores[l]!.push(copyingScore(ev));
      eig[l]!.push({ re: Array.from(ev.re), im: Array.from(ev.im) });
    }
  }
  return { scores, eigenvalues: eig };
}
