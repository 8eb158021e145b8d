import { useMemo, useState } from 'preact/hooks';
import { Figure } from '../../lib/Figure.js';
import { toCSV } from '../../lib/export.js';
import { displayToken, formatValue } from '../../lib/format.js';

export interface Column {
  key: string;
  label: string;
  /** 'number' right-aligns and formats; 'token' shows whitespace visibly in a token box; default text. */
  kind?: 'text' | 'number' | 'token';
}

export type Row = Record<string, string | number | null | undefined>;

export interface DataTableProps {
  columns: readonly Column[];
  rows: readonly Row[];
  title?: string;
  subtitle?: string;
  /** A search box filtering rows by any cell's text (default: when there are more than 10 rows). */
  search?: boolean;
  /** Rows shown before "show all" (default 25). */
  pageSize?: number;
  /** Initial sort (default: as given). */
  sort?: { key: string; desc?: boolean };
}

/** A sortable, searchable table (skip-trigrams, top virtual heads, top predictions). Click a header to sort. */
export function DataTable(p: DataTableProps) {
  const [sort, setSort] = useState<{ key: string; desc: boolean } | null>(p.sort ? { key: p.sort.key, desc: p.sort.desc ?? true } : null);
  const [query, setQuery] = useState('');
  const [all, setAll] = useState(false);
  const shown = useMemo(() => {
    let rows = [...p.rows];
    const q = query.trim().toLowerCase();
    if (q) rows = rows.filter((r) => p.columns.some((c) => String(r[c.key] ?? '').toLowerCase().includes(q)));
    if (sort) {
      rows.sort((a, b) => {
        const x = a[sort.key];
        const y = b[sort.key];
        const c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x ?? '').localeCompare(String(y ?? ''));
        return sort.desc ? -c : c;
      });
    }
    return rows;
  }, [p.rows, p.columns, sort, query]);
  const size = p.pageSize ?? 25;
  const visible = all ? shown : shown.slice(0, size);
  const search = p.search ?? p.rows.length > 10;
  return (
    <Figure title={p.title} subtitle={p.subtitle} name={p.title ?? 'table'} exports={{
      json: () => p.rows,
      csv: () => toCSV(p.columns.map((c) => c.label), p.rows.map((r) => p.columns.map((c) => r[c.key]))),
    }}>
      {search && (
        <div class="cs-controls">
          <input type="search" class="cs-search" placeholder="search" value={query} onInput={(e) => setQuery((e.currentTarget as HTMLInputElement).value)} />
          <span class="cs-note">{shown.length} of {p.rows.length} rows</span>
        </div>
      )}
      <table class="cs-table">
        <thead><tr>{p.columns.map((c) => (
          <th key={c.key} data-key={c.key} style={c.kind === 'number' ? { textAlign: 'right' } : undefined}
            onClick={() => setSort(sort?.key === c.key ? { key: c.key, desc: !sort.desc } : { key: c.key, desc: c.kind === 'number' })}>
            {c.label}{sort?.key === c.key ? (sort.desc ? ' ▾' : ' ▴') : ''}
          </th>
        ))}</tr></thead>
        <tbody>{visible.map((r, i) => (
          <tr key={i}>{p.columns.map((c) => {
            const v = r[c.key];
            if (c.kind === 'number') return <td key={c.key} class="cs-num" data-key={c.key}>{typeof v === 'number' ? formatValue(v) : (v ?? '')}</td>;
            if (c.kind === 'token') return <td key={c.key} data-key={c.key}>{v === null || v === undefined ? '' : <span class="cs-tok">{displayToken(String(v))}</span>}</td>;
            return <td key={c.key} data-key={c.key}>{v ?? ''}</td>;
          })}</tr>
        ))}</tbody>
      </table>
      {shown.length > size && (
        <button type="button" class="cs-btn cs-show-all" style={{ marginTop: 6 }} onClick={() => setAll(!all)}>{all ? `show ${size}` : `show all ${shown.length}`}</button>
      )}
    </Figure>
  );
}

export default DataTable;
