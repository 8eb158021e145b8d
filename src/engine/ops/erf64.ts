import type { LowerContext } from '../graph.js';

const SERIES_TERMS = 80;
const SWITCH = 4;

/**
 * erf in float64 from ONNX primitives, accurate to ~1e-11: the Maclaurin series
 * erf(t) = 2/sqrt(pi) Σ (-1)^n t^(2n+1) / (n! (2n+1)) for |x| < 4 (Horner in t^2), and the asymptotic expansion
 * erfc(u) ~ exp(-u^2)/(u sqrt(pi)) (1 - 1/(2u^2) + 3/(4u^4) - ...) beyond, where erfc(4) is already 1.5e-8.
 */
export function lowerErf64(ctx: LowerContext, x: string): string {
  const f = (v: number) => ctx.scalar(v, 'float64');
  const op = (name: string, ...ins: string[]) => ctx.emit(name, ins)[0]!;
  const ax = op('Abs', x);
  const t = op('Min', ax, f(SWITCH));
  // Horner in z = t^2 / 16 in [0, 1], so every coefficient stays well inside float32's range: onnxruntime's
  // constant sharing otherwise merges double scalars that underflow float32 (seen: erf(3.99) came out 0.62).
  const y = op('Mul', op('Mul', t, t), f(1 / (SWITCH * SWITCH)));
  const coef: number[] = [];
  let term = 1;
  for (let n = 0; n < SERIES_TERMS; n++) {
    if (n > 0) term *= (SWITCH * SWITCH) / n;
    coef.push((n % 2 === 0 ? 1 : -1) * term / (2 * n + 1));
  }
  let acc = f(coef[SERIES_TERMS - 1]!);
  for (let n = SERIES_TERMS - 2; n >= 0; n--) acc = op('Add', op('Mul', acc, y), f(coef[n]!));
  const small = op('Mul', op('Mul', acc, t), f(2 / Math.sqrt(Math.PI)));

  const u = op('Max', ax, f(SWITCH));
  const inv2 = op('Reciprocal', op('Mul', u, u));
  const asym = [1, -1 / 2, 3 / 4, -15 / 8, 105 / 16, -945 / 32, 10395 / 64];
  let poly = f(asym[asym.length - 1]!);
  for (let k = asym.length - 2; k >= 0; k--) poly = op('Add', op('Mul', poly, inv2), f(asym[k]!));
  const lead = op('Div', op('Exp', op('Neg', op('Mul', u, u))), op('Mul', u, f(Math.sqrt(Math.PI))));
  const large = op('Sub', f(1), op('Mul', lead, poly));

  const magnitude = op('Where', op('Less', ax, f(SWITCH)), small, large);
  return op('Where', op('Less', x, f(0)), op('Neg', magnitude), magnitude);
}
