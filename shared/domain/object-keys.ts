/**
 * The S3 key layout of everything optally writes besides the raw files (`incoming/…`, see
 * `uploads.ts`) and the reports (`reports/…`, see `stored-report.ts`). One place, imported by the
 * runtime and by tools, so no two places spell a key differently.
 */

/** The record of an operation (definition, versions, status, logs), archived for `rebuild`. */
export const definitionKey = (op: string): string => `definitions/${op}.json`;

/** Each definition version, by the SHA-256 of its canonical JSON: immutable once written. */
export const definitionVersionKey = (op: string, sha256: string): string =>
  `definitions/${op}/${sha256}.json`;

/** The manifest frozen at finalisation: the final export serves this copy. */
export const finalManifestKey = (op: string): string => `final/${op}/manifest.json`;

/** The signature of the frozen manifest (`ManifestSignature`). */
export const finalSignatureKey = (op: string): string => `final/${op}/signature.json`;

/** The ledger tree's leaves, frozen with the manifest: inclusion proofs are made from these. */
export const finalLedgerKey = (op: string): string => `final/${op}/ledger.json`;

/** One raw file as evidence: its key and S3 version id (none in an unversioned store). */
export const evidenceOf = (key: string, versionId: string | null | undefined): string =>
  `${key}#${versionId ?? ''}`;

/**
 * Where a slot's file goes: `incoming/{op}/{cc}/{uploadId}/{file name}`, or under `dryrun/` for a
 * dry run (checked on request, never counted). `parseIncomingKey` (uploads.ts) reads it back.
 */
export const slotKey = (s: {
  dryRun: boolean;
  operation: string;
  country: string;
  uploadId: string;
  fileName: string;
}): string => `${s.dryRun ? 'dryrun' : 'incoming'}/${s.operation}/${s.country}/${s.uploadId}/${s.fileName}`;

/** Where rollup bodies go: the ingest (and a redefinition or rebuild) writes here, the API reads. */
export const ROLLUPS_PREFIX = 'rollups/';

/** Digits of a zero-padded rollup version: enough for any safe integer, so keys sort by version. */
const ROLLUP_VERSION_DIGITS = 16;

/**
 * Where one rollup version's body is stored, gzip-compressed JSON: immutable once written (a
 * version names one rollup), and keys of one operation sort by version.
 */
export const rollupBodyKey = (op: string, version: number): string =>
  `${ROLLUPS_PREFIX}${op}/${String(version).padStart(ROLLUP_VERSION_DIGITS, '0')}.json.gz`;
