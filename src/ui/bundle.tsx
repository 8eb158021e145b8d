// The browser bundle's entry (scripts/build-ui.mjs): every component by name, and mount() to render one into an
// element. Fragments and the report call `circuitscopeUI.mount(name, props, element)`.
import { h, render, type ComponentType } from 'preact';
import uplotCss from 'uplot/dist/uPlot.min.css';
import * as components from './components/index.js';
import { Report } from './report/Report.js';
import { ensureStyles } from './lib/styles.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- props are whatever JSON the caller gives
type AnyComponent = ComponentType<any>;

const registry: Record<string, AnyComponent> = {};
for (const [name, c] of Object.entries(components)) if (typeof c === 'function' && /^[A-Z]/.test(name)) registry[name] = c as AnyComponent;
registry['Report'] = Report as AnyComponent;

export interface Mounted {
  update(props: Record<string, unknown>): void;
  unmount(): void;
}

/** Renders component `name` with `props` into `el`; `update` re-renders with new props (e.g. appended points). */
export function mount(name: string, props: Record<string, unknown>, el: Element): Mounted {
  const C = registry[name];
  if (!C) throw new Error(`circuitscope: no component named ${name} (have ${Object.keys(registry).join(', ')})`);
  ensureStyles(uplotCss);
  // Whatever the element held (a "loading" note) gives way to the component.
  if (!(el as Element & { __csMounted?: boolean }).__csMounted) {
    el.textContent = '';
    (el as Element & { __csMounted?: boolean }).__csMounted = true;
  }
  render(h(C, props), el);
  return {
    update: (next) => render(h(C, next), el),
    unmount: () => render(null, el),
  };
}

/** Mounts from a JSON script element: `<script type="application/json" id=...>{"component":..., "props":...}</script>`. */
export function mountFromJSON(dataId: string, el: Element): Mounted {
  const node = document.getElementById(dataId);
  if (!node) throw new Error(`circuitscope: no data element #${dataId}`);
  const { component, props } = JSON.parse(node.textContent ?? '{}') as { component: string; props: Record<string, unknown> };
  return mount(component, props, el);
}

(globalThis as unknown as { circuitscopeUI: unknown }).circuitscopeUI = { mount, mountFromJSON, components: Object.keys(registry) };
