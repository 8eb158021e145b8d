// The report's Addition section: the JSON of `reproduce --suite addition --json` (or a bare addition analysis), checked.
import { InputError } from '../../engine/errors.js';
import { parseJSONObject } from './development.js';

export interface ReportAddition {
  layer: number;
  problems: number | null;
  /** Answer digits in prediction order (`A3` ... `A0`). */
  rowLabels: string[];
  /** Operand digits in sequence order (`D2` ... `D'0`). */
  colLabels: string[];
  /** Per head `[head][row][col]`: mean attention from the row's predicting position to the column's digit. */
  table: number[][][];
  /** The suite's claims with their numbers, when the file has them. */
  claims: { claim: string; measured: string; holds: boolean }[];
}

const WHAT = 'circuitscope reproduce --suite addition --json';

/** `reproduce --suite addition --json` output (`{ claims, analysis }`), or the analysis alone (`{ attention, ... }`). */
export function parseAdditionJSON(text: string, file: string): ReportAddition {
  const o = parseJSONObject(text, file, WHAT);
  if (Array.isArray(o.seeds)) throw new InputError(`${file}: holds ${o.seeds.length} seeds (reproduce --seeds); the report shows one run: give the output of circuitscope reproduce --suite addition --models RUN --json`);
  const analysis = (typeof o.analysis === 'object' && o.analysis !== null ? o.analysis : o) as Record<string, unknown>;
  const att = analysis.attention as Record<string, unknown> | undefined;
  if (typeof att !== 'object' || att === null) throw new InputError(`${file}: no "attention" field (or "analysis.attention"); expected the output of ${WHAT}`);
  const rows = att.rows as { label?: unknown }[] | undefined;
  const cols = att.columns as { label?: unknown }[] | undefined;
  if (!Array.isArray(rows) || !Array.isArray(cols) || rows.some((r) => typeof r?.label !== 'string') || cols.some((c) => typeof c?.label !== 'string')) {
    throw new InputError(`${file}: attention.rows and attention.columns must be arrays of { label } (${WHAT} output)`);
  }
  const table = att.table;
  const ok = Array.isArray(table) && table.every((m) => Array.isArray(m) && m.length === rows.length
    && m.every((r: unknown) => Array.isArray(r) && r.length === cols.length && r.every((x: unknown) => typeof x === 'number')));
  if (!ok) throw new InputError(`${file}: attention.table must be [head][${rows.length} answer digits][${cols.length} operand digits] numbers (${WHAT} output)`);
  const claims = Array.isArray(o.claims)
    ? (o.claims as Record<string, unknown>[]).filter((c) => typeof c?.claim === 'string' && typeof c.measured === 'string' && typeof c.holds === 'boolean')
      .map((c) => ({ claim: c.claim as string, measured: c.measured as string, holds: c.holds as boolean }))
    : [];
  return {
    layer: typeof att.layer === 'number' ? att.layer : 0, problems: typeof att.problems === 'number' ? att.problems : null,
    rowLabels: rows.map((r) => r.label as string), colLabels: cols.map((c) => c.label as string), table: table as number[][][], claims,
  };
}
