import { formatValue } from '../../lib/format.js';

/** Labelled horizontal bars (signed: negative to the left), for term importance and attribution lists. */
export function BarList({ items, unit }: { items: readonly { label: string; value: number }[]; unit?: string }) {
  const max = Math.max(1e-12, ...items.map((i) => Math.abs(i.value)));
  return (
    <table class="app-bars"><tbody>
      {items.map((i) => (
        <tr data-label={i.label}>
          <th>{i.label}</th>
          <td class="app-bar-cell"><span class={i.value < 0 ? 'app-bar app-bar-neg' : 'app-bar'} style={{ width: `${(Math.abs(i.value) / max) * 100}%` }} /></td>
          <td class="app-num">{formatValue(i.value)}{unit ? ` ${unit}` : ''}</td>
        </tr>
      ))}
    </tbody></table>
  );
}
