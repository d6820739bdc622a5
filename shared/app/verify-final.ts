import { createHash } from 'node:crypto';
import { canonicalJson, type Manifest, manifestDigest } from '../domain/final-export.ts';
import { finalFile } from '../domain/final-files.ts';
import { checkInclusion, type InclusionProof, type LedgerLeaf, ledgerRoot } from '../domain/ledger-tree.ts';
import { definitionVersionKey, finalLedgerKey } from '../domain/object-keys.ts';
import type { Operation } from '../domain/operation.ts';
import { formatOf, readReturn } from '../domain/read-return.ts';
import { type CountryState, rollup } from '../domain/rollup.ts';
import { checkSignature, type ManifestSignature } from '../domain/signature.ts';
import { type CatalogueText, english, msg } from '../i18n/text.ts';
import { figuresAsStored } from './ingest-upload.ts';

/** One check of `verify` and its outcome, said plainly. */
export type Check = {
  ok: boolean;
  /** What was checked and found, in English (the JSON output, logs). */
  what: string;
  /** The same as a catalogue text, for the reader's language. */
  text: CatalogueText;
};

const check = (ok: boolean, text: CatalogueText): Check => ({ ok, what: english(text), text });

/** What `verify` reads: the JSON export, the public key, proofs, and optionally the raw files. */
export type VerifyInput = {
  /** The JSON final export (`{ manifestSha256, manifest, signature }`), parsed. */
  exported: unknown;
  publicKeyPem: string;
  proofs: { name: string; content: unknown }[];
  /** CSV and SDMX-CSV exports to check against the signed manifest. */
  exports?: { name: string; text: string }[];
  /** A download of the bucket (keys as paths): `incoming/…`, `definitions/…`, `final/…`. */
  raw: { read: (key: string) => Promise<Buffer | null>; list: (prefix: string) => Promise<string[]> } | null;
};

/**
 * Checks final figures offline, trusting nothing but the files and the public key: the signature
 * of the manifest, its digest, each inclusion proof against the signed ledger root, and — given
 * the raw files — every counted file's hash and figures, the totals, and the ledger's files.
 */
export async function verifyFinal(input: VerifyInput): Promise<Check[]> {
  const checks: Check[] = [];
  const exported = input.exported as {
    manifestSha256?: string;
    manifest?: Manifest;
    signature?: ManifestSignature;
  };
  const { manifest, signature } = exported;
  if (!manifest || !signature) {
    return [check(false, msg('cli.verify.no-manifest'))];
  }
  const digest = manifestDigest(manifest);
  checks.push(
    exported.manifestSha256 === digest && signature.manifestSha256 === digest
      ? check(true, msg('cli.verify.digest', { digest }))
      : check(
          false,
          msg('cli.verify.digest-changed', {
            digest,
            exported: String(exported.manifestSha256),
            signed: signature.manifestSha256,
          }),
        ),
  );
  checks.push(
    checkSignature(manifest, signature, input.publicKeyPem)
      ? check(true, msg('cli.verify.signature', { keyId: signature.keyId, algorithm: signature.algorithm }))
      : check(false, msg('cli.verify.bad-signature')),
  );
  const root = manifest.ledger?.root ?? null;
  for (const { name, content } of input.proofs) {
    const proof = ((content as { proof?: InclusionProof }).proof ?? content) as InclusionProof;
    if (!root) {
      checks.push(check(false, msg('cli.verify.no-root', { name })));
    } else if (!proof?.leaf?.key?.startsWith(`incoming/${manifest.operation}/`)) {
      checks.push(check(false, msg('cli.verify.other-operation', { name, op: manifest.operation })));
    } else {
      checks.push(
        checkInclusion(proof, root)
          ? check(
              true,
              msg('cli.verify.leaf', {
                name,
                key: proof.leaf.key,
                verdict: proof.leaf.verdict,
                index: String(proof.index),
              }),
            )
          : check(false, msg('cli.verify.no-leaf', { name })),
      );
    }
  }
  const definition = input.raw ? await definitionIn(manifest, input.raw) : null;
  for (const file of input.exports ?? []) checks.push(checkExport(manifest, file, definition));
  if (input.raw) checks.push(...(await verifyRaw(manifest, input.raw)));
  return checks;
}

/**
 * A CSV or SDMX-CSV export holds exactly what the signed manifest gives: it is made again from the
 * manifest and compared byte for byte (the SDMX window needs the definition: with `--raw`); without
 * the definition, every SDMX row must at least name the signed digest.
 */
function checkExport(
  manifest: Manifest,
  file: { name: string; text: string },
  definition: Operation | null,
): Check {
  const format = file.name.endsWith('.sdmx.csv') ? 'sdmx-csv' : file.name.endsWith('.csv') ? 'csv' : null;
  if (!format) return check(false, msg('cli.verify.not-export', { name: file.name }));
  if (format === 'sdmx-csv' && !definition) {
    const digest = manifestDigest(manifest);
    const rows = file.text.trim().split(/\r?\n/).slice(1);
    return rows.length > 0 && rows.every((r) => r.endsWith(`,${digest}`))
      ? check(true, msg('cli.verify.rows-name-manifest', { name: file.name }))
      : check(false, msg('cli.verify.row-other-manifest', { name: file.name, digest }));
  }
  const expected = finalFile(manifest, definition?.window ?? { start: '', end: '' }, 'final', format).body;
  return expected === file.text
    ? check(true, msg('cli.verify.export-same', { name: file.name }))
    : check(false, msg('cli.verify.export-differs', { name: file.name }));
}

/** The definition the manifest names, from a bucket download, if its hash matches. */
async function definitionIn(
  manifest: Manifest,
  raw: NonNullable<VerifyInput['raw']>,
): Promise<Operation | null> {
  const bytes = await raw.read(definitionVersionKey(manifest.operation, manifest.definitionSha256));
  const definition = bytes ? (JSON.parse(bytes.toString('utf8')) as Operation) : null;
  return definition &&
    createHash('sha256').update(canonicalJson(definition)).digest('hex') === manifest.definitionSha256
    ? definition
    : null;
}

async function verifyRaw(manifest: Manifest, raw: NonNullable<VerifyInput['raw']>): Promise<Check[]> {
  const checks: Check[] = [];
  const op = manifest.operation;
  const definitionBytes = await raw.read(definitionVersionKey(op, manifest.definitionSha256));
  const definition = definitionBytes ? (JSON.parse(definitionBytes.toString('utf8')) as Operation) : null;
  if (
    !definition ||
    createHash('sha256').update(canonicalJson(definition)).digest('hex') !== manifest.definitionSha256
  ) {
    return [check(false, msg('cli.verify.definition-missing', { sha256: manifest.definitionSha256 }))];
  }
  const states: CountryState[] = [];
  for (const p of manifest.provenance) {
    const bytes = await raw.read(p.key);
    if (!bytes) {
      checks.push(check(false, msg('cli.verify.file-missing', { country: p.country, key: p.key })));
      continue;
    }
    const sha = createHash('sha256').update(bytes).digest('hex');
    if (sha !== p.sha256) {
      checks.push(
        check(
          false,
          msg('cli.verify.file-changed', {
            country: p.country,
            key: p.key,
            sha256: sha,
            expected: String(p.sha256),
          }),
        ),
      );
      continue;
    }
    const format = formatOf(p.key);
    const checked = format
      ? await readReturn(
          (async function* () {
            yield bytes;
          })(),
          format,
          { operation: definition, country: p.country },
        )
      : null;
    const figures = checked?.figures ? figuresAsStored(checked.figures) : null;
    const same = figures && canonicalJson(figures) === canonicalJson(manifest.countries[p.country]);
    checks.push(
      same
        ? check(true, msg('cli.verify.figures-same', { country: p.country, key: p.key }))
        : check(false, msg('cli.verify.figures-differ', { country: p.country, key: p.key })),
    );
    if (figures) {
      states.push({
        country: p.country,
        figures,
        submissionId: p.submissionId,
        orderKey: '',
        receivedAt: p.receivedAt,
        acceptedAt: p.acceptedAt,
        firstAcceptedAt: p.acceptedAt,
        firstReceivedAt: p.receivedAt,
        rev: 0,
      });
    }
  }
  const totals = rollup(definition, states).totals;
  checks.push(
    canonicalJson(totals) === canonicalJson(manifest.figures.totals)
      ? check(true, msg('cli.verify.totals-same'))
      : check(false, msg('cli.verify.totals-differ')),
  );
  const leavesBytes = await raw.read(finalLedgerKey(op));
  if (!leavesBytes || !manifest.ledger) {
    checks.push(check(false, msg('cli.verify.ledger-missing')));
    return checks;
  }
  const leaves = JSON.parse(leavesBytes.toString('utf8')) as LedgerLeaf[];
  checks.push(
    ledgerRoot(leaves).root === manifest.ledger.root
      ? check(true, msg('cli.verify.ledger-root', { count: leaves.length }))
      : check(false, msg('cli.verify.ledger-root-differs')),
  );
  const inLedger = new Set(leaves.map((l) => l.key));
  const files = await raw.list(`incoming/${op}/`);
  const extra = files.filter((k) => !inLedger.has(k));
  const missing = [...inLedger].filter((k) => !files.includes(k));
  checks.push(
    extra.length === 0 && missing.length === 0
      ? check(true, msg('cli.verify.files-match', { count: files.length }))
      : check(
          false,
          msg('cli.verify.files-disagree', {
            extra: extra.join(', ') || 'none',
            missing: missing.join(', ') || 'none',
            both: extra.length > 0 && missing.length > 0 ? 'yes' : 'no',
          }),
        ),
  );
  return checks;
}
