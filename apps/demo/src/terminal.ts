/** The demo's terminal display: step headers, progress lines and bar charts. */
export class Terminal {
  private progressShown = false;

  constructor(
    private readonly out: NodeJS.WriteStream = process.stdout,
    private readonly quiet = false,
  ) {}

  private get live(): boolean {
    return this.out.isTTY === true;
  }

  step(index: number, total: number, name: string): void {
    this.endProgress();
    this.write(`\n[${index}/${total}] ${name}\n`);
  }

  /** A line that rewrites itself on a terminal (printed once in a while when piped). */
  progress(text: string): void {
    if (!this.live) return;
    this.out.write(`\r\x1b[2K    ${text}`);
    this.progressShown = true;
  }

  private endProgress(): void {
    if (this.progressShown) {
      this.out.write('\r\x1b[2K');
      this.progressShown = false;
    }
  }

  block(lines: string[]): void {
    this.endProgress();
    for (const line of lines) this.write(`    ${line}\n`);
  }

  result(ok: boolean, detail: string): void {
    this.endProgress();
    this.write(`    ${ok ? '✔' : '✘'} ${detail}\n`);
  }

  /** `a ███ 20  b ██ 12` — counts as bars scaled to the largest. */
  bars(labels: string[], counts: number[]): string {
    const max = Math.max(1, ...counts);
    return labels
      .map((label, i) => {
        const n = counts[i] ?? 0;
        return `${label} ${'█'.repeat(Math.round((n / max) * 12)).padEnd(12)} ${String(n).padStart(3)}`;
      })
      .join('  ');
  }

  write(text: string): void {
    if (!this.quiet) this.out.write(text);
  }
}
