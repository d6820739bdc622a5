import { intlLocale } from '../shared/i18n/locale.ts';
import { note } from './context.ts';
import { currentCliLocale, say } from './lang.ts';

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
      const line = say('cli.progress.live', {
        label,
        percent,
        sent: megabytes(sent),
        total: megabytes(total),
      });
      process.stderr.write(`\r${line}\u001b[K`);
    },
    done: () => {
      const seconds = Math.max((Date.now() - started) / 1000, 0.001);
      if (live) process.stderr.write('\r\u001b[K');
      const sent = { label, size: humanSize(total), seconds: oneDecimal(seconds) };
      note(
        total > LIVE_ABOVE
          ? say('cli.progress.done-speed', { ...sent, speed: megabytes(total / seconds) })
          : say('cli.progress.done', sent),
      );
    },
  };
}

/** A byte count for people, in the CLI's language: "812 bytes", "24.9 MB" ("24,9 Mo" in French). */
export function humanSize(bytes: number): string {
  return bytes < 1024 * 1024 ? say('cli.size.bytes', { bytes }) : megabytes(bytes);
}

function megabytes(bytes: number): string {
  return say('cli.size.megabytes', { megabytes: oneDecimal(bytes / (1024 * 1024)) });
}

/** "24.9" ("24,9" in French): one decimal, in the CLI's language. */
function oneDecimal(value: number): string {
  const format = { minimumFractionDigits: 1, maximumFractionDigits: 1 };
  return new Intl.NumberFormat(intlLocale(currentCliLocale()), format).format(value);
}
