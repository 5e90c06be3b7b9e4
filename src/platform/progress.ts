/**
 * Progress of long work: a redrawn bar on a TTY, plain lines (one per 10 %) otherwise.
 * Writes to stderr by default so that command output stays clean.
 */
export interface Progress {
  tick(done: number, note?: string): void;
  done(note?: string): void;
}

interface Sink {
  isTTY?: boolean;
  write(text: string): unknown;
}

export function createProgress(label: string, total: number, out: Sink = process.stderr): Progress {
  let lastDecile = -1;
  const width = 30;
  const line = (done: number, note = "") => {
    const ratio = total > 0 ? Math.min(1, done / total) : 1;
    const filled = Math.round(ratio * width);
    const pct = Math.floor(ratio * 100);
    return `${label} [${"#".repeat(filled)}${"-".repeat(width - filled)}] ${pct} % (${done}/${total})${note ? ` ${note}` : ""}`;
  };
  return {
    tick(done, note) {
      if (out.isTTY) {
        out.write(`\r${line(done, note)}\x1b[K`);
        return;
      }
      const decile = total > 0 ? Math.floor((done / total) * 10) : 10;
      if (decile > lastDecile) {
        lastDecile = decile;
        out.write(`${line(done, note)}\n`);
      }
    },
    done(note) {
      if (out.isTTY) out.write(`\r${line(total, note)}\x1b[K\n`);
      else if (lastDecile < 10) out.write(`${line(total, note)}\n`);
    },
  };
}

/** A progress that says nothing (tests, library use). */
export const silentProgress = (): Progress => ({ tick() {}, done() {} });
