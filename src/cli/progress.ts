/** Terminal progress bar: bytes read of total, packets/s, ETA (only on a TTY). */
import cliProgress from 'cli-progress';

const MB = 1024 * 1024;

export class Progress {
  private readonly bar: cliProgress.SingleBar;
  private readonly started = Date.now();
  private started_ = false;
  private lastDraw = 0;

  constructor() {
    this.bar = new cliProgress.SingleBar({
      format: ' {bar} {percentage}% | {done}/{total_h} MB | {pps} pkts/s | ETA {eta_formatted}',
      hideCursor: true,
      stream: process.stderr,
      barsize: 30,
    }, cliProgress.Presets.shades_classic);
  }

  update(bytes: number, total: number | undefined, packets: number): void {
    const now = Date.now();
    if (now - this.lastDraw < 100) return;
    this.lastDraw = now;
    const secs = Math.max(0.001, (now - this.started) / 1000);
    const payload = {
      done: (bytes / MB).toFixed(1),
      total_h: total ? (total / MB).toFixed(1) : '?',
      pps: Math.round(packets / secs).toLocaleString('en-US'),
    };
    if (!this.started_) {
      this.started_ = true;
      this.bar.start(total ?? bytes + 1, bytes, payload);
    } else {
      if (!total) this.bar.setTotal(bytes + 1);
      this.bar.update(bytes, payload);
    }
  }

  stop(): void {
    if (this.started_) this.bar.stop();
  }
}
