import { createHash } from 'node:crypto';
import { canonicalJson, type Manifest, manifestDigest } from '../domain/final-export.ts';
import { finalFile } from '../domain/final-files.ts';
import { checkInclusion, type InclusionProof, type LedgerLeaf, ledgerRoot } from '../domain/ledger-tree.ts';
import { definitionVersionKey, finalLedgerKey } from '../domain/object-keys.ts';
import type { Operation } from '../domain/operation.ts';
import { formatOf, readReturn } from '../domain/read-return.ts';
import { type CountryState, rollup } from '../domain/rollup.ts';
import { checkSignature, type ManifestSignature } from '../domain/signature.ts';
import { figuresAsStored } from './ingest-upload.ts';

/** One check of `verify` and its outcome, said plainly. */
export type Check = { ok: boolean; what: string };

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
    return [
      { ok: false, what: 'the export holds no signed manifest: use the JSON export of a final operation' },
    ];
  }
  const digest = manifestDigest(manifest);
  checks.push(
    exported.manifestSha256 === digest && signature.manifestSha256 === digest
      ? { ok: true, what: `manifest digest ${digest}` }
      : {
          ok: false,
          what: `the manifest's digest is ${digest}, but the export says ${exported.manifestSha256} and the signature ${signature.manifestSha256}: the manifest was changed`,
        },
  );
  checks.push(
    checkSignature(manifest, signature, input.publicKeyPem)
      ? { ok: true, what: `signature by ${signature.keyId} (${signature.algorithm})` }
      : {
          ok: false,
          what: 'bad signature: the manifest or the signature was changed, or another key signed it',
        },
  );
  const root = manifest.ledger?.root ?? null;
  for (const { name, content } of input.proofs) {
    const proof = ((content as { proof?: InclusionProof }).proof ?? content) as InclusionProof;
    if (!root) {
      checks.push({ ok: false, what: `${name}: the manifest has no ledger root to prove against` });
    } else if (!proof?.leaf?.key?.startsWith(`incoming/${manifest.operation}/`)) {
      checks.push({ ok: false, what: `${name}: the proof is not for ${manifest.operation}` });
    } else {
      checks.push(
        checkInclusion(proof, root)
          ? {
              ok: true,
              what: `${name}: ${proof.leaf.key} (${proof.leaf.verdict}) is leaf ${proof.index} of the signed ledger`,
            }
          : { ok: false, what: `${name}: the proof does not reach the signed ledger root` },
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
  if (!format) return { ok: false, what: `${file.name}: not a .csv or .sdmx.csv export` };
  if (format === 'sdmx-csv' && !definition) {
    const digest = manifestDigest(manifest);
    const rows = file.text.trim().split(/\r?\n/).slice(1);
    return rows.length > 0 && rows.every((r) => r.endsWith(`,${digest}`))
      ? {
          ok: true,
          what: `${file.name}: every row names the signed manifest (give --raw to check its figures too)`,
        }
      : { ok: false, what: `${file.name}: a row does not name the signed manifest ${digest}` };
  }
  const expected = finalFile(manifest, definition?.window ?? { start: '', end: '' }, 'final', format).body;
  return expected === file.text
    ? { ok: true, what: `${file.name}: exactly the figures of the signed manifest` }
    : {
        ok: false,
        what: `${file.name}: differs from the export of the signed manifest (a figure or a row was changed)`,
      };
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
    return [
      {
        ok: false,
        what: `the definition ${manifest.definitionSha256} is missing from the raw files, or changed`,
      },
    ];
  }
  const states: CountryState[] = [];
  for (const p of manifest.provenance) {
    const bytes = await raw.read(p.key);
    if (!bytes) {
      checks.push({ ok: false, what: `${p.country}: the counted file ${p.key} is missing` });
      continue;
    }
    const sha = createHash('sha256').update(bytes).digest('hex');
    if (sha !== p.sha256) {
      checks.push({
        ok: false,
        what: `${p.country}: ${p.key} has SHA-256 ${sha}, the manifest says ${p.sha256}: the raw file changed`,
      });
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
        ? { ok: true, what: `${p.country}: ${p.key} gives the figures the manifest holds` }
        : { ok: false, what: `${p.country}: ${p.key} does not give the figures the manifest holds` },
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
      ? { ok: true, what: 'the totals recomputed from the raw files equal the manifest’s' }
      : { ok: false, what: 'the totals recomputed from the raw files differ from the manifest’s' },
  );
  const leavesBytes = await raw.read(finalLedgerKey(op));
  if (!leavesBytes || !manifest.ledger) {
    checks.push({ ok: false, what: 'the frozen ledger (final/…/ledger.json) is missing from the raw files' });
    return checks;
  }
  const leaves = JSON.parse(leavesBytes.toString('utf8')) as LedgerLeaf[];
  checks.push(
    ledgerRoot(leaves).root === manifest.ledger.root
      ? { ok: true, what: `the ledger's ${leaves.length} submissions give the signed root` }
      : {
          ok: false,
          what: 'the ledger file does not give the signed root: a submission was added, removed or changed',
        },
  );
  const inLedger = new Set(leaves.map((l) => l.key));
  const files = await raw.list(`incoming/${op}/`);
  const extra = files.filter((k) => !inLedger.has(k));
  const missing = [...inLedger].filter((k) => !files.includes(k));
  checks.push(
    extra.length === 0 && missing.length === 0
      ? {
          ok: true,
          what: `every raw file is in the ledger, and every ledger file is there (${files.length})`,
        }
      : {
          ok: false,
          what: `raw files and ledger disagree: ${[...extra.map((k) => `${k} is not in the ledger`), ...missing.map((k) => `${k} is missing`)].join('; ')}`,
        },
  );
  return checks;
}
