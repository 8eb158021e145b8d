/** Categorical colours for series and heads: muted, distinguishable, colour-blind aware (Tableau 10, softened). */
export const PALETTE = ['#4e79a7', '#e15759', '#59a14f', '#f28e2b', '#b07aa1', '#76b7b2', '#edc948', '#9c755f', '#ff9da7', '#8c8c8c'];

export function seriesColor(i: number): string {
  return PALETTE[i % PALETTE.length]!;
}
