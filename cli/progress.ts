import { note } from './context.ts';

/** Files above this size get a live progress line (when stderr is a terminal). */
const LIVE_ABOVE = 1024 * 1024;

/** A progress display for a transfer, on stderr. */
export type Progress = { update: (sent: number) => void; done: () => void };

/**
 * Shows how much of a file has been sent: a live percentage for files above 1 MB when stderr is
 * a terminal, and in every case one final line (size, time, speed).
 */
export function progress(label: string, total: number): Progress {
  const started = Date.now();
  const live = total > LIVE_ABOVE && process.stderr.isTTY === true;
  let shown = 0;
  return {
    update: (sent) => {
      if (!live || Date.now() - shown < 100) return;
      shown = Date.now();
      const percent = Math.floor((sent / total) * 100);
      process.stderr.write(`\r${label}: ${percent}% (${megabytes(sent)} of ${megabytes(total)})\u001b[K`);
    },
    done: () => {
      const seconds = Math.max((Date.now() - started) / 1000, 0.001);
      if (live) process.stderr.write('\r\u001b[K');
      const speed = total > LIVE_ABOVE ? `, ${megabytes(total / seconds)}/s` : '';
      note(`${label}: ${humanSize(total)} sent in ${seconds.toFixed(1)} s${speed}.`);
    },
  };
}

/** A byte count for people: "812 bytes", "24.9 MB". */
export function humanSize(bytes: number): string {
  return bytes < 1024 * 1024 ? `${bytes} bytes` : megabytes(bytes);
}

function megabytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
