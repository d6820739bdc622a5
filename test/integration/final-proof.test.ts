import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FinalExport, PublicKey, UploadProof, UploadSlot } from '../../shared/api/responses.ts';
import type { Manifest } from '../../shared/domain/final-export.ts';
import { checkInclusion } from '../../shared/domain/ledger-tree.ts';
import { checkSignature, type ManifestSignature } from '../../shared/domain/signature.ts';
import { anOperation } from '../support/builders.ts';
import { defineOn, freshStack } from '../support/local-servers.ts';
import { runCli } from '../support/run-cli.ts';

/**
 * Proof an outsider can check (issue 15): the final manifest is signed, its ledger root covers
 * every submission, and each upload's inclusion proof leads to that signed root.
 */

const OP = 'proof-op';
let stack: Awaited<ReturnType<typeof freshStack>>;
const uploads: Record<string, string> = {};

async function call(method: 'GET' | 'POST', path: string, token: string, body?: unknown) {
  return fetch(`${stack.apiUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

async function send(country: string, name: string, csv: string): Promise<string> {
  const token = await stack.tokens.agency(country);
  const slot = (await (
    await call('POST', `/operations/${OP}/uploads`, token, { fileName: `${name}.csv` })
  ).json()) as UploadSlot;
  const form = new FormData();
  for (const [k, v] of Object.entries(slot.upload.fields)) form.append(k, v);
  form.append('file', new Blob([csv]), `${name}.csv`);
  expect((await fetch(slot.upload.url, { method: 'POST', body: form })).status).toBeLessThan(300);
  await stack.settled();
  return slot.uploadId;
}

beforeAll(async () => {
  stack = await freshStack();
  await defineOn(stack, anOperation({ id: OP }));
  uploads.first = await send('BR', 'first', 'date,metric,value\n2025-11-12,arrests,1\n');
  uploads.second = await send('BR', 'second', 'date,metric,value\n2025-11-12,arrests,2\n');
  uploads.bad = await send('KE', 'bad', 'date,metric,value\n2025-11-12,arrests,-1\n');
  const admin = stack.tokens.admin;
  expect((await call('POST', `/operations/${OP}/status`, admin, { status: 'closed' })).status).toBe(200);
  expect((await call('POST', `/operations/${OP}/status`, admin, { status: 'final' })).status).toBe(200);
});
afterAll(async () => {
  await stack.dispose();
});

async function finalJson() {
  return (await (
    await call('GET', `/operations/${OP}/final`, stack.tokens.auditor)
  ).json()) as Required<FinalExport>;
}

async function publicKeyPem(): Promise<string> {
  const res = await fetch(`${stack.apiUrl}/operations/${OP}/final/public-key`);
  return ((await res.json()) as PublicKey).pem;
}

describe('signed final figures', () => {
  it('sign the manifest, with a root over every submission, checkable with the published key alone', async () => {
    const { manifest, manifestSha256, signature } = await finalJson();

    expect(signature.manifestSha256).toBe(manifestSha256);
    expect(manifest.ledger?.size).toBe(3);
    expect(checkSignature(manifest, signature, await publicKeyPem())).toBe(true);
  });

  it('catch a changed figure, a changed root and a changed signature', async () => {
    const { manifest, signature } = await finalJson();
    const pem = await publicKeyPem();
    const figure = structuredClone(manifest);
    figure.figures.totals.arrests = (figure.figures.totals.arrests ?? 0) + 1;
    const root = structuredClone(manifest);
    root.ledger = { ...root.ledger!, root: '0'.repeat(64) };
    const sig = Buffer.from(signature.signature, 'base64');
    sig[sig.length - 1] = (sig.at(-1) ?? 0) ^ 1;

    expect(checkSignature(figure, signature, pem)).toBe(false);
    expect(checkSignature(root, signature, pem)).toBe(false);
    expect(checkSignature(manifest, { ...signature, signature: sig.toString('base64') }, pem)).toBe(false);
  });

  it('come with every export: the signature in the headers, and a link to it', async () => {
    const { signature } = await finalJson();
    for (const format of ['json', 'csv', 'sdmx-csv']) {
      const res = await call('GET', `/operations/${OP}/final?format=${format}`, stack.tokens.auditor);
      expect(res.headers.get('x-manifest-signature'), format).toBe(signature.signature);
      expect(res.headers.get('link'), format).toMatch(/final\/signature>; rel="signature"/);
    }
    const doc = await call('GET', `/operations/${OP}/final/signature`, stack.tokens.auditor);
    expect(await doc.json()).toEqual(signature);
  });
});

describe('inclusion proofs', () => {
  it('prove every upload — accepted, superseded, rejected — against the signed root', async () => {
    const { manifest } = await finalJson();
    const verdicts: Record<string, string> = {};
    for (const [name, uploadId] of Object.entries(uploads)) {
      const country = name === 'bad' ? 'KE' : 'BR';
      const res = await call(
        'GET',
        `/operations/${OP}/uploads/${uploadId}/proof`,
        await stack.tokens.agency(country),
      );
      expect(res.status, name).toBe(200);
      const { proof } = (await res.json()) as UploadProof;
      expect(checkInclusion(proof, manifest.ledger!.root), name).toBe(true);
      verdicts[name] = proof.leaf.verdict;
    }
    expect(verdicts).toEqual({ first: 'superseded', second: 'accepted', bad: 'rejected' });
  });

  it('do not prove a changed leaf', async () => {
    const { manifest } = await finalJson();
    const res = await call('GET', `/operations/${OP}/uploads/${uploads.bad}/proof`, stack.tokens.auditor);
    const { proof } = (await res.json()) as UploadProof;

    expect(
      checkInclusion({ ...proof, leaf: { ...proof.leaf, verdict: 'accepted' } }, manifest.ledger!.root),
    ).toBe(false);
  });

  it('answer 404 for an unknown upload', async () => {
    const res = await call(
      'GET',
      `/operations/${OP}/uploads/u000000999-00000000/proof`,
      stack.tokens.auditor,
    );
    expect(res.status).toBe(404);
  });
});

describe('optally verify, offline', () => {
  const BIN = fileURLToPath(new URL('../../bin/optally.js', import.meta.url));
  let work: string;
  const verify = (...args: string[]) => runCli([process.execPath, BIN], ['verify', ...args], { cwd: work });
  /** Flips one bit of a byte near the middle of a file. */
  async function flip(path: string, at = 0.5): Promise<void> {
    const bytes = await readFile(path);
    const i = Math.floor(bytes.length * at);
    bytes[i] = (bytes[i] ?? 0) ^ 1;
    await writeFile(path, bytes);
  }

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'optally-verify-'));
    const json = await call('GET', `/operations/${OP}/final?format=json`, stack.tokens.auditor);
    await writeFile(join(work, 'final.json'), await json.text());
    await writeFile(join(work, 'key.pem'), await publicKeyPem());
    for (const [format, name] of [
      ['csv', 'final.csv'],
      ['sdmx-csv', 'final.sdmx.csv'],
    ] as const) {
      const res = await call('GET', `/operations/${OP}/final?format=${format}`, stack.tokens.auditor);
      await writeFile(join(work, name), await res.text());
    }
    for (const [name, uploadId] of Object.entries(uploads)) {
      const res = await call('GET', `/operations/${OP}/uploads/${uploadId}/proof`, stack.tokens.auditor);
      await writeFile(join(work, `${name}.proof.json`), await res.text());
    }
    // What an auditor downloads of the bucket: raw files, definitions, the frozen ledger.
    for (const prefix of [`incoming/${OP}/`, `definitions/${OP}/`, `final/${OP}/`]) {
      for (const { key } of await stack.objects.list(prefix)) {
        const object = await stack.objects.open(key);
        const chunks: Uint8Array[] = [];
        for await (const c of object.body) chunks.push(c);
        const target = join(work, 'bucket', ...key.split('/'));
        await mkdir(dirname(target), { recursive: true });
        await writeFile(target, Buffer.concat(chunks));
      }
    }
  }, 60_000);

  it('holds for the export, every proof and the raw files', async () => {
    const ran = await verify(
      'final.json',
      '--public-key',
      'key.pem',
      '--proof',
      'first.proof.json',
      'second.proof.json',
      'bad.proof.json',
      '--export',
      'final.csv',
      'final.sdmx.csv',
      '--raw',
      'bucket',
    );

    expect(ran.stdout).toMatch(/All checks hold/);
    expect(ran.code).toBe(0);
  }, 60_000);

  it('catches a changed export, a changed raw file, a changed proof and a changed signature', async () => {
    const cases: [string, () => Promise<void>, string[], RegExp][] = [
      [
        'export',
        async () => {
          const text = await readFile(join(work, 'final.json'), 'utf8');
          await writeFile(join(work, 'changed.json'), text.replace(/"arrests":2/, '"arrests":3'));
        },
        ['changed.json', '--public-key', 'key.pem'],
        /the manifest was changed[\s\S]*bad signature/,
      ],
      [
        'CSV export',
        async () => {
          const text = await readFile(join(work, 'final.csv'), 'utf8');
          await writeFile(join(work, 'changed.csv'), text.replace(/,2,/, ',3,'));
        },
        ['final.json', '--public-key', 'key.pem', '--export', 'changed.csv'],
        /changed.csv: differs from the export of the signed manifest/,
      ],
      [
        'raw file',
        async () => {
          const key = (JSON.parse(await readFile(join(work, 'final.json'), 'utf8')) as { manifest: Manifest })
            .manifest.provenance[0]?.key as string;
          await flip(join(work, 'bucket', ...key.split('/')));
        },
        ['final.json', '--public-key', 'key.pem', '--raw', 'bucket'],
        /the raw file changed/,
      ],
      [
        'proof',
        async () => {
          const proof = JSON.parse(await readFile(join(work, 'second.proof.json'), 'utf8')) as UploadProof;
          proof.proof.path[0] = `${proof.proof.path[0]?.slice(0, -1)}${proof.proof.path[0]?.endsWith('0') ? '1' : '0'}`;
          await writeFile(join(work, 'changed.proof.json'), JSON.stringify(proof));
        },
        ['final.json', '--public-key', 'key.pem', '--proof', 'changed.proof.json'],
        /does not reach the signed ledger root/,
      ],
      [
        'signature',
        async () => {
          const exported = JSON.parse(await readFile(join(work, 'final.json'), 'utf8')) as {
            signature: ManifestSignature;
          };
          const sig = Buffer.from(exported.signature.signature, 'base64');
          sig[10] = (sig[10] ?? 0) ^ 1;
          exported.signature.signature = sig.toString('base64');
          await writeFile(join(work, 'resigned.json'), JSON.stringify(exported));
        },
        ['resigned.json', '--public-key', 'key.pem'],
        /bad signature/,
      ],
    ];
    for (const [what, change, args, message] of cases) {
      await change();
      const ran = await verify(...args);
      expect(ran.code, what).toBe(1);
      expect(ran.stdout, what).toMatch(message);
    }
  }, 120_000);

  it('answers exit 2 for a file it cannot read', async () => {
    const ran = await verify('missing.json', '--public-key', 'key.pem');
    expect(ran.code).toBe(2);
    expect(ran.stderr).toMatch(/Cannot read missing.json/);
  });
});
