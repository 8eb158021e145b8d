// Messages between the app (main thread) and its analysis worker. Every request carries an id; the worker answers
// each with a result or a one-line error.
import type {
  AblationKind, AblationView, AttributionView, BigramsView, CircuitsView, CompositionView, DiscoveryRequest, DiscoveryView, FrameworkSectionId,
  FrameworkSectionView, HeadsView, NeuronsView, PatchingView, PromptView,
} from '../../analysis/views/index.js';

/** A model the server offers: its files are fetched from `base` + file name. */
export interface ModelEntry {
  id: string;
  name: string;
  base: string;
  files: string[];
}

/** What the app knows about the loaded model. */
export interface ModelInfo {
  config: Record<string, unknown>;
  params: number;
  hasTokenizer: boolean;
  backend: string;
}

/** Where a model's files come from: the server, a dropped folder, or bytes trained in this tab. */
export type ModelSource = { urls: Record<string, string> } | { files: File[] } | { bytes: Record<string, Uint8Array> };

export type Request =
  | { type: 'load'; source: ModelSource }
  | { type: 'prompt'; text: string }
  | { type: 'heads' }
  | { type: 'circuits'; layer: number; head: number; text: string }
  | { type: 'composition'; text: string }
  | { type: 'attribution'; text: string; answer?: string }
  | { type: 'ablate'; text: string; layer: number; head: number; kind: AblationKind }
  | { type: 'patch'; clean?: string; corrupt?: string; answer?: string; wrong?: string }
  | { type: 'neurons'; text: string; layer: number; neuron: number }
  | { type: 'bigrams' }
  /** Circuit discovery on the loaded model: a task, a method and its options (the Discover view). */
  | ({ type: 'discover' } & DiscoveryRequest)
  /** One section of the guided framework, on the loaded model (null) or a served one, loaded beside it. */
  | { type: 'framework'; section: FrameworkSectionId; model: { key: string; urls: Record<string, string> } | null };

export interface Results {
  load: ModelInfo;
  prompt: PromptView;
  heads: HeadsView;
  circuits: CircuitsView;
  composition: CompositionView;
  attribution: AttributionView;
  ablate: AblationView;
  patch: PatchingView;
  neurons: NeuronsView;
  bigrams: BigramsView;
  discover: DiscoveryView;
  framework: FrameworkSectionView & { modelKey: string | null };
}

export type Reply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: string };
