import { useEffect, useState } from 'preact/hooks';
import type { ComponentChildren } from 'preact';
import type { EngineClient } from '../client.js';
import type { ModelEntry, ModelInfo } from '../protocol.js';
import type { Route } from '../route.js';

/** What every view gets: the engine, the loaded model's info, the route, and a way to change it. */
export interface ViewProps {
  engine: EngineClient;
  info: ModelInfo;
  route: Route;
  go: (change: Partial<Route>) => void;
  /** The prompt the views share (from the URL, or the default). */
  prompt: string;
  /** The run's metrics.jsonl records, when the model came with them. */
  metrics: Record<string, unknown>[] | null;
  /** The models the server offers (models.json), and which of them is loaded (null: one from this tab). */
  models: ModelEntry[];
  modelId: string | null;
}

/** A small form of labelled text inputs, submitted together (Enter or the button). */
export function Fields({ fields, onSubmit, button = 'run' }: {
  fields: { name: string; label: string; value: string; placeholder?: string; wide?: boolean }[];
  onSubmit: (values: Record<string, string>) => void;
  button?: string;
}) {
  return (
    <form class="app-fields" onSubmit={(e) => {
      e.preventDefault();
      const f = e.currentTarget;
      onSubmit(Object.fromEntries(fields.map((x) => [x.name, (f.elements.namedItem(x.name) as HTMLInputElement).value])));
    }}>
      {fields.map((x) => (
        <label>{x.label} <input name={x.name} value={x.value} placeholder={x.placeholder} class={x.wide ? 'app-wide' : undefined} /></label>
      ))}
      <button type="submit" class="cs-btn">{button}</button>
    </form>
  );
}

/** Runs an engine request whenever `key` changes; the view shows a spinner, the result or the one-line error. */
export function useRequest<T>(run: () => Promise<T>, key: string): { value: T | null; error: string | null; busy: boolean } {
  const [state, setState] = useState<{ value: T | null; error: string | null; busy: boolean }>({ value: null, error: null, busy: true });
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, busy: true, error: null }));
    run().then((value) => { if (live) setState({ value, error: null, busy: false }); },
      (e: Error) => { if (live) setState({ value: null, error: e.message, busy: false }); });
    return () => { live = false; };
  }, [key]);
  return state;
}

export function Status({ busy, error, children }: { busy: boolean; error: string | null; children?: ComponentChildren }) {
  if (error) return <p class="app-error" role="alert">{error}</p>;
  if (busy) return <p class="app-busy">computing…</p>;
  return <>{children}</>;
}

/** A head picker: layer and head selects. */
export function HeadPicker({ info, route, go }: Pick<ViewProps, 'info' | 'route' | 'go'>) {
  const L = Number(info.config['n_layers']);
  const H = Number(info.config['n_heads']);
  return (
    <span class="app-picker">
      <label>layer <select value={route.layer} onChange={(e) => go({ layer: Number((e.target as HTMLSelectElement).value) })}>
        {Array.from({ length: L }, (_, l) => <option value={l}>{l}</option>)}
      </select></label>
      <label>head <select value={route.head} onChange={(e) => go({ head: Number((e.target as HTMLSelectElement).value) })}>
        {Array.from({ length: H }, (_, h) => <option value={h}>{h}</option>)}
      </select></label>
    </span>
  );
}

export function Explain({ children }: { children: ComponentChildren }) {
  return <p class="app-explain">{children}</p>;
}
