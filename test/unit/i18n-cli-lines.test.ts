import { afterAll, describe, expect, it } from 'vitest';
import { ApiError, CliError, explain, StorageError } from '../../cli/errors.ts';
import { loadCliLocale, sayText } from '../../cli/lang.ts';
import { humanSize } from '../../cli/progress.ts';
import { verifyFinal } from '../../shared/app/verify-final.ts';
import { msg } from '../../shared/i18n/text.ts';

const ARABIC = /[\u0600-\u06ff]/;
const empty = () => new CliError(msg('cli.file.empty', { file: 'sn.csv' }), 1, 'empty-file');

describe('the CLI’s own lines in the language it is given', () => {
  afterAll(async () => {
    await loadCliLocale('en');
  });

  it('writes its errors in English by default, the English kept as the error’s message', async () => {
    await loadCliLocale('en');
    expect(explain(empty())).toEqual({
      exitCode: 1,
      code: 'empty-file',
      status: null,
      message:
        'sn.csv is empty (empty-file): an empty file is not a report of zero; write 0 for "we had none".',
    });
    expect(humanSize(812)).toBe('812 bytes');
    expect(humanSize(5.25 * 1024 * 1024)).toBe('5.3 MB');
  });

  it('writes the same error, sizes and an API failure in French, codes unchanged', async () => {
    await loadCliLocale('fr');
    const error = empty();
    expect(error.message).toContain('is empty');
    expect(explain(error).message).toBe(
      'sn.csv est vide (empty-file) : un fichier vide n’est pas une déclaration de zéro ; écrivez 0 pour « nous n’en avons eu aucun ».',
    );
    expect(humanSize(812)).toBe('812 octets');
    expect(humanSize(5.25 * 1024 * 1024)).toBe('5,3 Mo');
    const failed = explain(new ApiError(503, 'Réessayez.', { code: 'internal', request: 'GET /operations' }));
    expect(failed.message).toBe(
      'GET /operations a échoué (503 internal) : Réessayez. Réessayez dans une minute ; si l’échec persiste, prévenez les coordinateurs de l’opération.',
    );
    const storage = explain(
      new StorageError(400, 'EntityTooLarge', 'Your proposed upload exceeds the maximum.'),
    );
    expect(storage.message).toContain('Le service de stockage a refusé le fichier (400 EntityTooLarge)');
    expect(storage.message).toContain('Your proposed upload exceeds the maximum.');
    expect(storage.message).toContain('envoyez un fichier plus petit');
  });

  it('writes them in Arabic, in Latin digits, keeping the file name and the code', async () => {
    await loadCliLocale('ar');
    const message = explain(empty()).message;
    expect(message).toMatch(ARABIC);
    expect(message).toContain('sn.csv');
    expect(message).toContain('(empty-file)');
    expect(humanSize(2_500_000)).toBe('2.4 ميغابايت');
    expect(explain(new Error('boom')).message).toMatch(ARABIC);
  });

  it('keeps a verification check as its key and parameters, its English in what', async () => {
    const [check] = await verifyFinal({ exported: {}, publicKeyPem: '', proofs: [], exports: [], raw: null });
    expect(check?.ok).toBe(false);
    expect(check?.what).toBe('the export holds no signed manifest: use the JSON export of a final operation');
    await loadCliLocale('fr');
    expect(check && sayText(check.text)).toBe(
      'l’export ne contient pas de manifeste signé : utilisez l’export JSON d’une opération finale',
    );
  });
});
