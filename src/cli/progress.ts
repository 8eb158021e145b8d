/** Progress on a terminal (one line redrawn), plain lines elsewhere, nothing with --json. */
export class Progress {
  private lastPlain = 0;
  constructor(private readonly mode: 'tty' | 'plain' | 'none', private readonly total: number) {}

  static for(json: boolean, total: number): Progress {
    return new Progress(json ? 'none' : process.stderr.isTTY ? 'tty' : 'plain', total);
  }

  step(step: number, loss: number, tokensPerS: number, startedMs: number): void {
    if (this.mode === 'none') return;
    const elapsed = (performance.now() - startedMs) / 1000;
    const eta = step > 0 ? (elapsed / step) * (this.total - step) : 0;
    const line = `step ${step}/${this.total}  loss ${loss.toFixed(4)}  ${formatRate(tokensPerS)} tok/s  ETA ${formatTime(eta)}`;
    if (this.mode === 'tty') {
      const width = 30;
      const filled = Math.round((width * step) / this.total);
      process.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${line}\x1b[K`);
      if (step === this.total) process.stderr.write('\n');
    } else if (performance.now() - this.lastPlain > 5000 || step === this.total) {
      this.lastPlain = performance.now();
      process.stderr.write(`${line}\n`);
    }
  }

  note(msg: string): void {
    if (this.mode === 'none') return;
    process.stderr.write(`${this.mode === 'tty' ? '\r\x1b[K' : ''}${msg}\n`);
  }
}

export function formatRate(x: number): string {
  return x >= 1e6 ? `${(x / 1e6).toFixed(2)}M` : x >= 1e3 ? `${(x / 1e3).toFixed(1)}k` : x.toFixed(0);
}

export function formatTime(s: number): string {
  if (!Number.isFinite(s)) return '?';
  const m = Math.floor(s / 60);
  const sec = Math.floor(s % 60);
  return m >= 60 ? `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m` : `${m}:${String(sec).padStart(2, '0')}`;
}
