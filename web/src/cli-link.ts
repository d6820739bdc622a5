import { byId, setAttr, setHidden, setText } from './dom.ts';
import { formatBytes } from './format.ts';

/** `cli.json` beside the dashboard: the CLI file offered for download and its digest. */
export type CliManifest = {
  /** The name to save it under (`optally-0.1.0.mjs`). */
  fileName: string;
  /** Where it is, relative to the page (`cli/optally-0.1.0-1a2b3c4d.mjs`). */
  path: string;
  size: number;
  sha256: string;
  version: string;
  /** The licences of the libraries bundled into it, relative to the page; null when not shipped. */
  licenses: string | null;
};

/** True when `value` has the shape of a `cli.json` (the page shows nothing for anything else). */
export function isCliManifest(value: unknown): value is CliManifest {
  const v = value as Partial<CliManifest> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.fileName === 'string' &&
    typeof v.path === 'string' &&
    !/^[a-z]+:|^\/\//i.test(v.path) &&
    typeof v.size === 'number' &&
    typeof v.sha256 === 'string' &&
    /^[0-9a-f]{64}$/.test(v.sha256) &&
    typeof v.version === 'string'
  );
}

/**
 * Offers the CLI for download ("Get the CLI") with its SHA-256 when the dashboard was deployed
 * with it (`cli.json` beside the page); shows nothing otherwise.
 */
export async function showCliDownload(pageUrl: string = location.href): Promise<void> {
  let manifest: unknown;
  try {
    const response = await fetch(new URL('cli.json', pageUrl), { cache: 'no-cache' });
    if (!response.ok) return;
    manifest = await response.json();
  } catch {
    return;
  }
  if (!isCliManifest(manifest)) return;
  const link = byId<HTMLAnchorElement>('cli-link');
  link.href = new URL(manifest.path, pageUrl).toString();
  link.download = manifest.fileName;
  setText(link, `Get the CLI (optally ${manifest.version}, ${formatBytes(manifest.size)})`);
  setText(byId('cli-sha'), manifest.sha256);
  const licenses = byId<HTMLAnchorElement>('cli-licenses');
  setHidden(licenses, manifest.licenses === null);
  if (manifest.licenses) setAttr(licenses, 'href', new URL(manifest.licenses, pageUrl).toString());
  setHidden(byId('cli-download'), false);
}
