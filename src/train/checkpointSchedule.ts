/**
 * Which steps of a run keep a checkpoint (`train --checkpoints log:N|every:K`): N log-spaced steps from 0 (the
 * initial weights) to the last step, or every K steps (with 0 and the last). Pure, so the trainer, run.json's
 * validation and the tests agree on the same steps.
 */
export type CheckpointSchedule = { kind: 'log'; count: number } | { kind: 'every'; interval: number };

/** Parses `log:N` or `every:K`; the error says what was expected (the CLI turns it into a usage error). */
export function parseCheckpointSchedule(text: string): CheckpointSchedule {
  const m = /^(log|every):(\d+)$/.exec(text.trim());
  const n = m ? Number(m[2]) : NaN;
  if (!m || !Number.isSafeInteger(n)) throw new Error(`expected log:N (N log-spaced steps) or every:K (every K steps), got ${JSON.stringify(text)}`);
  if (m[1] === 'log') {
    if (n < 2 || n > 10_000) throw new Error(`log:${n}: N must be from 2 (the first and last step) to 10000`);
    return { kind: 'log', count: n };
  }
  if (n < 1) throw new Error(`every:${n}: K must be at least 1`);
  return { kind: 'every', interval: n };
}

/** The schedule as the CLI writes it. */
export function formatCheckpointSchedule(s: CheckpointSchedule): string {
  return s.kind === 'log' ? `log:${s.count}` : `every:${s.interval}`;
}

/** Checks a schedule read from run.json; `where` names the field in the error. */
export function checkCheckpointSchedule(value: unknown, where: string): CheckpointSchedule {
  const v = value as Partial<{ kind: string; count: number; interval: number }> | null;
  if (v && v.kind === 'log' && typeof v.count === 'number') return parseCheckpointSchedule(`log:${v.count}`);
  if (v && v.kind === 'every' && typeof v.interval === 'number') return parseCheckpointSchedule(`every:${v.interval}`);
  throw new Error(`${where}: expected { kind: "log", count } or { kind: "every", interval }, got ${JSON.stringify(value)}`);
}

/**
 * The steps that keep a checkpoint in a run of `total` steps, increasing, always with 0 and `total`. `log:N`:
 * round((total + 1)^(i / (N - 1))) - 1 for i = 0..N-1, so step 0 and the last are included and early steps, where
 * models change fastest, are dense; where early steps would round to the same value they are moved up to the next
 * free step, so there are exactly N (every step, 0..total, when the run has fewer than N).
 */
export function checkpointSteps(s: CheckpointSchedule, total: number): number[] {
  if (s.kind === 'every') {
    const steps = new Set<number>([total]);
    for (let k = 0; k <= total; k += s.interval) steps.add(k);
    return [...steps].sort((a, b) => a - b);
  }
  const n = s.count;
  if (total + 1 <= n) return Array.from({ length: total + 1 }, (_, i) => i);
  const steps = Array.from({ length: n }, (_, i) => Math.min(total, Math.round(Math.pow(total + 1, i / (n - 1))) - 1));
  for (let i = 1; i < n; i++) steps[i] = Math.max(steps[i]!, steps[i - 1]! + 1);
  steps[n - 1] = total;
  for (let i = n - 2; i >= 0; i--) steps[i] = Math.min(steps[i]!, steps[i + 1]! - 1);
  return steps;
}
