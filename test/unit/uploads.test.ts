import { describe, expect, it } from 'vitest';
import { anS3NotificationBody, anS3TestEventBody } from '../../events/load-event.ts';
import {
  decodeS3Key,
  encodeS3Key,
  type ObjectCreated,
  orderKeyOf,
  parseIncomingKey,
  parseS3Notification,
  safeFileName,
  sequenceOf,
  submissionId,
  uploadIdOf,
} from '../../shared/domain/uploads.ts';

function anObject(overrides: Partial<ObjectCreated> = {}): ObjectCreated {
  return {
    bucket: 'optally-uploads-123456789012',
    key: 'incoming/liberterra-iii/BR/0f3c9a/return.csv',
    size: 1024,
    eTag: 'd41d8cd98f00b204e9800998ecf8427e',
    versionId: '096fKKXTRTtl3on89fVO.nfljtsv6qko',
    sequencer: '0055AED6DCD90281E5',
    eventTime: '2025-11-12T10:15:30.123Z',
    ...overrides,
  };
}

describe('parseS3Notification', () => {
  it('reads an object-created record, decoding "+" and %-escapes in the key', () => {
    const body = anS3NotificationBody({
      encodedKey: 'incoming/liberterra-iii/CI/0f3c9a/retour+national+C%C3%B4te+d%27Ivoire+%2B+annexe.csv',
      eventTime: '2025-11-12T10:15:30.123Z',
      size: 2048,
    });

    const { records, ignored } = parseS3Notification(body);

    expect(ignored).toEqual([]);
    expect(records).toEqual([
      {
        bucket: 'optally-uploads',
        key: "incoming/liberterra-iii/CI/0f3c9a/retour national Côte d'Ivoire + annexe.csv",
        size: 2048,
        eTag: '0b7e4c5e2f1d6a8b9c0d1e2f3a4b5c6d',
        versionId: '3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY',
        sequencer: '0055AED6DCD90281E5',
        eventTime: '2025-11-12T10:15:30.123Z',
      },
    ]);
  });

  it('writes the event time as a millisecond UTC time', () => {
    const body = anS3NotificationBody({
      encodedKey: 'incoming/op/BR/u/x.csv',
      eventTime: '2025-11-12T10:15:30Z',
    });

    expect(parseS3Notification(body).records[0]?.eventTime).toBe('2025-11-12T10:15:30.000Z');
  });

  it('reads every record of a notification, in order', () => {
    const body = anS3NotificationBody(
      { encodedKey: 'incoming/op/BR/u1/a.csv', eventName: 'ObjectCreated:Put' },
      { encodedKey: 'incoming/op/FR/u2/b.csv', eventName: 'ObjectCreated:CompleteMultipartUpload' },
    );

    const keys = parseS3Notification(body).records.map((r) => r.key);

    expect(keys).toEqual(['incoming/op/BR/u1/a.csv', 'incoming/op/FR/u2/b.csv']);
  });

  it('ignores the s3:TestEvent sent when notifications are configured', () => {
    expect(parseS3Notification(anS3TestEventBody())).toEqual({ records: [], ignored: ['s3:TestEvent'] });
  });

  it('ignores an object-removed record, saying so', () => {
    const body = anS3NotificationBody(
      { encodedKey: 'incoming/op/BR/u1/a.csv', eventName: 'ObjectRemoved:Delete' },
      { encodedKey: 'incoming/op/BR/u2/b.csv' },
    );

    const { records, ignored } = parseS3Notification(body);

    expect(records.map((r) => r.key)).toEqual(['incoming/op/BR/u2/b.csv']);
    expect(ignored).toEqual(['aws:s3 ObjectRemoved:Delete']);
  });

  it('throws on a body that is not an S3 notification', () => {
    expect(() => parseS3Notification(JSON.stringify({ hello: 'world' }))).toThrow(
      /not an S3 event notification/,
    );
  });

  it('throws on a body that is not JSON', () => {
    expect(() => parseS3Notification('incoming/op/BR/u1/a.csv')).toThrow();
  });
});

describe('S3 key encoding', () => {
  it('round-trips a key with spaces, plus signs, accents and slashes', () => {
    const key = 'incoming/liberterra-iii/CI/u 1/Côte d’Ivoire + annexe (v2).csv';

    expect(decodeS3Key(encodeS3Key(key))).toBe(key);
  });

  it('writes a space as "+" and keeps slashes', () => {
    expect(encodeS3Key('incoming/op/BR/u1/my return.csv')).toBe('incoming/op/BR/u1/my+return.csv');
  });
});

describe('parseIncomingKey', () => {
  it('reads operation, country and file name', () => {
    expect(parseIncomingKey('incoming/liberterra-iii/BR/x.csv')).toEqual({
      operation: 'liberterra-iii',
      country: 'BR',
      name: 'x.csv',
      uploadId: null,
    });
  });

  it('reads the file name under any folder, without taking the folder for an upload id', () => {
    expect(parseIncomingKey('incoming/liberterra-iii/BR/0f3c9a-77/x.csv')).toEqual({
      operation: 'liberterra-iii',
      country: 'BR',
      name: 'x.csv',
      uploadId: null,
    });
  });

  it('reads the upload id of a slot key', () => {
    expect(parseIncomingKey('incoming/liberterra-iii/BR/u000000042-9f1c2ab3/x.csv')).toMatchObject({
      uploadId: 'u000000042-9f1c2ab3',
      name: 'x.csv',
    });
  });

  it.each([
    ['a ".." segment in the name', 'incoming/liberterra-iii/BR/../x.csv'],
    ['a ".." segment deeper down', 'incoming/liberterra-iii/BR/u1/../../FR/x.csv'],
    ['a ".." segment as the country', 'incoming/liberterra-iii/../BR/x.csv'],
    ['a "." segment', 'incoming/liberterra-iii/BR/./x.csv'],
    ['no file name', 'incoming/liberterra-iii/BR/u1/'],
    ['no name after the country', 'incoming/liberterra-iii/BR'],
    ['another prefix', 'reports/liberterra-iii/BR/x.csv'],
    ['a prefix that only starts like it', 'incomingx/liberterra-iii/BR/x.csv'],
    ['an operation id in capitals', 'incoming/Liberterra-III/BR/x.csv'],
    ['a leading slash', '/incoming/liberterra-iii/BR/x.csv'],
  ])('rejects a key with %s', (_case, key) => {
    expect(parseIncomingKey(key)).toBeNull();
  });
});

describe('submissionId', () => {
  it('gives the same object the same id every time', () => {
    expect(submissionId('BR', anObject())).toBe(submissionId('BR', anObject()));
  });

  it('starts with the country and the time received', () => {
    expect(submissionId('BR', anObject())).toMatch(/^BR-20251112T101530123Z-[0-9a-f]{12}$/);
  });

  it('gives another eTag another id', () => {
    expect(submissionId('BR', anObject({ eTag: '0cc175b9c0f1b6a831c399e269772661' }))).not.toBe(
      submissionId('BR', anObject()),
    );
  });

  it('gives another version of the same key another id', () => {
    expect(submissionId('BR', anObject({ versionId: 'Fo3ZSmD2.Xxl8rS3Mk4ztCMJNRoYHkv6' }))).not.toBe(
      submissionId('BR', anObject()),
    );
  });

  it('gives another key another id', () => {
    expect(submissionId('BR', anObject({ key: 'incoming/liberterra-iii/BR/1a2b3c/return.csv' }))).not.toBe(
      submissionId('BR', anObject()),
    );
  });

  it('sorts ids by country, then by time received', () => {
    const ids = [
      submissionId('FR', anObject({ eventTime: '2025-11-10T08:00:00.000Z' })),
      submissionId('BR', anObject({ eventTime: '2025-11-12T09:00:00.000Z' })),
      submissionId('BR', anObject({ eventTime: '2025-11-11T23:59:59.999Z' })),
    ];

    expect([...ids].sort()).toEqual([ids[2], ids[1], ids[0]]);
  });

  it('writes a country that is not two capital letters as XX', () => {
    expect(submissionId('../', anObject())).toMatch(/^XX-/);
  });
});

describe('orderKeyOf', () => {
  it('orders uploads by the time S3 received them', () => {
    const earlier = orderKeyOf(
      anObject({ eventTime: '2025-11-12T09:59:59.999Z', key: 'incoming/op/BR/z/x.csv' }),
    );
    const later = orderKeyOf(
      anObject({ eventTime: '2025-11-12T10:00:00.000Z', key: 'incoming/op/BR/a/x.csv' }),
    );

    expect(earlier < later).toBe(true);
  });

  it('orders uploads received in the same millisecond by key', () => {
    const a = orderKeyOf(anObject({ key: 'incoming/op/BR/a/x.csv' }));
    const b = orderKeyOf(anObject({ key: 'incoming/op/BR/b/x.csv' }));

    expect(a < b).toBe(true);
  });

  it('is the same for every delivery of the same event', () => {
    expect(orderKeyOf(anObject())).toBe(orderKeyOf(anObject()));
  });

  it('orders slot uploads by their slot sequence, whatever the time S3 received them', () => {
    const slot9 = orderKeyOf(
      anObject({ eventTime: '2025-11-12T10:00:00.500Z', key: 'incoming/op/BR/u000000009-00000000/x.csv' }),
    );
    const slot10 = orderKeyOf(
      anObject({ eventTime: '2025-11-12T10:00:00.100Z', key: 'incoming/op/BR/u000000010-00000000/x.csv' }),
    );

    expect(slot9 < slot10).toBe(true);
  });

  it('counts a plain put as older than any slot upload', () => {
    const slot = orderKeyOf(
      anObject({ eventTime: '2025-11-12T10:00:00.000Z', key: 'incoming/op/BR/u000000001-00000000/x.csv' }),
    );
    const plain = orderKeyOf(
      anObject({ eventTime: '2025-11-13T10:00:00.000Z', key: 'incoming/op/BR/x.csv' }),
    );

    expect(plain < slot).toBe(true);
  });
});

describe('upload ids', () => {
  it('carry the slot sequence', () => {
    expect(sequenceOf(uploadIdOf(42, '9f1c2ab3'))).toBe(42);
  });

  it('refuse a sequence they cannot hold', () => {
    expect(() => uploadIdOf(1_000_000_000, '9f1c2ab3')).toThrow(RangeError);
  });

  it('give slot submissions ids that start with the upload id', () => {
    const key = 'incoming/op/BR/u000000042-9f1c2ab3/x.csv';
    expect(submissionId('BR', anObject({ key }))).toMatch(/^BR-u000000042-9f1c2ab3-[0-9a-f]{12}$/);
  });
});

describe('safeFileName', () => {
  it.each([
    ['return.csv', 'return.csv'],
    ['../../etc/passwd', 'passwd'],
    ['C:\\Users\\me\\ret urn.csv', 'ret urn.csv'],
    ['%2e%2e%2fx.csv', '_2e_2e_2fx.csv'],
    ['.hidden.csv', 'hidden.csv'],
    ['retour_données.csv', 'retour_donn_es.csv'],
    ['', 'return'],
  ])('makes %j safe as %j', (input, expected) => {
    expect(safeFileName(input)).toBe(expected);
  });
});
