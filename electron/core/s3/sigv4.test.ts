import { describe, expect, it } from 'vitest';
import { canonicalQueryString, EMPTY_SHA256, encodePath, signRequest } from './sigv4';

// The examples of the S3 documentation, "Signature calculations for the Authorization header".
const example = {
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  region: 'us-east-1',
  host: 'examplebucket.s3.amazonaws.com',
  date: new Date('2013-05-24T00:00:00Z'),
};

describe('signRequest', () => {
  it('signs the documented GET /test.txt example', () => {
    const signed = signRequest({
      ...example,
      method: 'GET',
      path: '/test.txt',
      headers: { Range: 'bytes=0-9' },
      payloadHash: EMPTY_SHA256,
    });
    expect(signed.canonicalRequest).toBe(
      [
        'GET',
        '/test.txt',
        '',
        'host:examplebucket.s3.amazonaws.com',
        'range:bytes=0-9',
        `x-amz-content-sha256:${EMPTY_SHA256}`,
        'x-amz-date:20130524T000000Z',
        '',
        'host;range;x-amz-content-sha256;x-amz-date',
        EMPTY_SHA256,
      ].join('\n'),
    );
    expect(signed.headers.authorization).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, ' +
        'SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, ' +
        'Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
    );
  });

  it('signs the documented GET ?lifecycle example (a parameter without value)', () => {
    const signed = signRequest({
      ...example,
      method: 'GET',
      path: '/',
      query: { lifecycle: '' },
      payloadHash: EMPTY_SHA256,
    });
    expect(signed.queryString).toBe('lifecycle=');
    expect(signed.headers.authorization).toMatch(
      /Signature=fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543$/,
    );
  });

  it('signs the documented GET ?max-keys=2&prefix=J example (sorted query)', () => {
    const signed = signRequest({
      ...example,
      method: 'GET',
      path: '/',
      query: { prefix: 'J', 'max-keys': '2' },
      payloadHash: EMPTY_SHA256,
    });
    expect(signed.queryString).toBe('max-keys=2&prefix=J');
    expect(signed.headers.authorization).toMatch(
      /Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7$/,
    );
  });
});

describe('encoding', () => {
  it('encodes path segments once and keeps slashes', () => {
    expect(encodePath('/bucket/a b/c+d~e')).toBe('/bucket/a%20b/c%2Bd~e');
  });
  it('encodes and sorts query parameters', () => {
    expect(canonicalQueryString({ 'list-type': '2', 'max-keys': '1', prefix: 'a/b c' })).toBe(
      'list-type=2&max-keys=1&prefix=a%2Fb%20c',
    );
  });
});
