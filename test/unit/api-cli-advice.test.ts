import { describe, expect, it } from 'vitest';
import { adviceFor } from '../../cli/api-client.ts';

const api = 'https://d111.cloudfront.net';

describe("the CLI's advice on an error answer", () => {
  it('tells a user whose sign-in was refused to sign in again, not to set OPTALLY_TOKEN', () => {
    const advice = adviceFor({ kind: 'signed-in' }, api, 401, 'unauthorized');

    expect(advice).toContain(`optally login --api ${api}`);
    expect(advice).not.toContain('OPTALLY_TOKEN');
  });

  it('tells a user whose OPTALLY_TOKEN was refused to set a valid one', () => {
    expect(adviceFor({ kind: 'env' }, api, 401, 'unauthorized')).toMatch(/^Set OPTALLY_TOKEN/);
  });

  it('tells a signed-in user refused an action that the sign-in says who they act as', () => {
    expect(adviceFor({ kind: 'signed-in' }, api, 403, 'forbidden')).toContain('sign in as another user');
  });

  it('names the token file a minted token was signed with', () => {
    expect(adviceFor({ kind: 'minted', secretFile: '/data/secret' }, api, 401, null)).toContain(
      '/data/secret',
    );
  });
});
