// The guided framework view's sections (no imports: the app's main thread reads this without the analyses).
/** The paper's sections, in order, and the number of layers the model each is shown on has. */
export const FRAMEWORK_SECTIONS = [
  { id: 'zero', title: 'Zero-layer transformers: bigram statistics', layers: 0 },
  { id: 'one', title: 'One-layer attention-only transformers: skip-trigrams and copying', layers: 1 },
  { id: 'two', title: 'Two-layer attention-only transformers: composition and induction heads', layers: 2 },
  { id: 'terms', title: 'Term importance: which paths matter', layers: 2 },
] as const;
export type FrameworkSectionId = (typeof FRAMEWORK_SECTIONS)[number]['id'];
