import { useState } from 'preact/hooks';
import { DevelopmentCurves } from '../../components/DevelopmentCurves/index.js';
import { parseLLCJSON, parseOverTrainingJSON, type ReportDevelopment } from '../../report/development.js';

/** Which command wrote this JSON: `llc` (points) or `analyze --over-training` (steps and series). */
async function readOne(f: File, into: ReportDevelopment): Promise<void> {
  const text = await f.text();
  let head: Record<string, unknown> = {};
  try { head = JSON.parse(text) as Record<string, unknown>; } catch { /* the parsers say what is wrong */ }
  if (head && typeof head === 'object' && 'points' in head) into.llc = parseLLCJSON(text, f.name);
  else if (head && typeof head === 'object' && 'series' in head) into.overTraining = parseOverTrainingJSON(text, f.name);
  else throw new Error(`${f.name}: expected the JSON of circuitscope llc RUN --out FILE (with "points") or analyze RUN --over-training --out FILE (with "steps" and "series")`);
}

/**
 * Progress over training from the JSON files of `llc` and `analyze --over-training`, opened or dropped here (they
 * stay in the tab): the same DevelopmentCurves figure as the report's Development section. Needs no model.
 */
export function DevelopmentView() {
  const [data, setData] = useState<ReportDevelopment>({});
  const [error, setError] = useState<string | null>(null);
  const open = async (files: File[]) => {
    const next: ReportDevelopment = { ...data };
    setError(null);
    for (const f of files) {
      try { await readOne(f, next); } catch (e) { setError((e as Error).message); }
    }
    setData(next);
  };
  const has = data.llc || data.overTraining;
  return (
    <div class="app-development" onDrop={(e) => { e.preventDefault(); e.stopPropagation(); void open(Array.from(e.dataTransfer?.files ?? [])); }}>
      <p class="app-explain">
        Open or drop the JSON of <code>circuitscope llc RUN --essential-dynamics --out llc.json</code> and/or{' '}
        <code>circuitscope analyze RUN --over-training --out over.json</code>: the LLC, loss and head scores against the
        step, with the stage boundaries (where the smoothed LLC turns) on every panel.{' '}
        <label class="cs-btn">open JSON files<input type="file" hidden multiple accept=".json,application/json" name="development-files"
          onChange={(e) => void open(Array.from((e.target as HTMLInputElement).files ?? []))} /></label>
        {has && <> Showing: {[data.llc && 'LLC', data.overTraining && 'over-training analyses'].filter(Boolean).join(' and ')}.</>}
      </p>
      {error && <p class="app-error" role="alert">{error}</p>}
      {has && <DevelopmentCurves {...(data.overTraining ? { overTraining: data.overTraining } : {})} {...(data.llc ? { llc: data.llc } : {})} width={760} />}
    </div>
  );
}
