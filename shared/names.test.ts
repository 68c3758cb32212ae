import { describe, expect, it } from 'vitest';
import {
  absolutePath,
  bucketName,
  dnsName,
  envName,
  existingBucketName,
  exportPath,
  hostAddress,
  imageRef,
  isIPv6,
  k8sName,
  posixUserName,
  savedName,
  storedName,
  swarmStackName,
} from './names';
import { kubeconfigPath } from './cluster-schemas';
import { exportOwner, fileMode, nfsClient, normalizeNfsClient, s3Endpoint } from './storage-schemas';
import type { z } from 'zod';

const ok = (schema: z.ZodType, v: unknown) => schema.safeParse(v).success;
const why = (schema: z.ZodType, v: unknown) => schema.safeParse(v).error?.issues[0]?.message;

describe('shared name rules', () => {
  it('saved names are DNS labels, and say which part is wrong', () => {
    for (const v of ['garage', 'a', '1', 'nas-1', 'a'.repeat(63)]) expect(ok(savedName, v), v).toBe(true);
    expect(why(savedName, '-garage-')).toMatch(/^"-garage-" starts or ends with '-': use 1 to 63 lowercase/);
    expect(why(savedName, 'Garage')).toMatch(/upper-case/);
    expect(why(savedName, 'nas_1')).toMatch(/contains "_"/);
    expect(why(savedName, 'nas.lan')).toMatch(/contains "\."/);
    expect(why(savedName, 'gärage')).toMatch(/contains "ä"/);
    expect(why(savedName, 'a'.repeat(64))).toMatch(/has 64 characters/);
    expect(why(savedName, '')).toMatch(/^is empty/);
  });

  it('remove takes any name a list can show, but no path', () => {
    for (const v of ['-garage-', 'Garage', 'nas_1', 'nas.lan']) expect(ok(storedName, v), v).toBe(true);
    for (const v of ['', 'a/b', 'a\\b', 'a\nb', 'x'.repeat(254)]) expect(ok(storedName, v), v).toBe(false);
  });

  it('Swarm stack names leave room for <stack>_<component>', () => {
    expect(ok(swarmStackName, 'a'.repeat(32))).toBe(true);
    expect(why(swarmStackName, 'a'.repeat(33))).toMatch(/use 1 to 32/);
  });

  it('Kubernetes names are subdomains as the API server checks them', () => {
    for (const v of ['local-path', 'a.b-c', 'a'.repeat(253), 'x'.repeat(70)]) expect(ok(k8sName, v), v).toBe(true);
    for (const v of ['a..b', 'a.-b', '-a', 'A', 'a_b', 'a'.repeat(254), '']) expect(ok(k8sName, v), v).toBe(false);
    // Host names add the 63-character limit of each label.
    expect(ok(dnsName, `${'x'.repeat(64)}.lan`)).toBe(false);
  });

  it('addresses are host names or IP addresses, IPv6 with or without brackets', () => {
    expect(hostAddress.parse(' NAS.lan ')).toBe('NAS.lan');
    expect(hostAddress.parse('[fd00::20]')).toBe('fd00::20');
    for (const v of ['192.168.1.20', 'fd00::20', '::1', 'nas-1']) expect(ok(hostAddress, v), v).toBe(true);
    for (const v of ['999.1.1.1', '1.2.3', 'nas lan', 'nas_1.lan', '-nas', ''])
      expect(ok(hostAddress, v), v).toBe(false);
    expect(isIPv6('1::2::3')).toBe(false);
  });

  it('bucket names follow AWS, with the reason named', () => {
    for (const v of ['media', 'media.backups-2', 'a'.repeat(63), '123']) expect(ok(bucketName, v), v).toBe(true);
    const cases: [string, RegExp][] = [
      ['me', /has 2 characters/],
      ['Media', /upper-case/],
      ['my_bucket', /contains "_"/],
      ['-media', /start and end/],
      ['media..x', /two dots/],
      ['media.-x', /hyphen next to a dot/],
      ['192.168.1.10', /IP address/],
      ['xn--media', /starts with "xn--"/],
      ['sthree-media', /starts with "sthree-"/],
      ['amzn-s3-demo-media', /reserved/],
      ['media-s3alias', /ends with "-s3alias"/],
      ['media--ol-s3', /reserved/],
      ['media.mrap', /reserved/],
      ['media--x-s3', /reserved/],
      ['media--table-s3', /reserved/],
    ];
    for (const [v, reason] of cases) expect(why(bucketName, v), v).toMatch(reason);
    // Buckets that exist may predate the rules; only unaddressable names are refused.
    expect(ok(existingBucketName, 'Old_Bucket')).toBe(true);
    expect(ok(existingBucketName, 'a/b')).toBe(false);
  });

  it('image references follow Docker’s grammar', () => {
    for (const v of [
      'nginx',
      'library/nginx:1.27',
      'ghcr.io/lusoris/revenge:latest',
      'registry.lan:5000/team/app:v1.2.3',
      'Registry.Lan/team/app',
      'localhost/app__x',
      `app@sha256:${'a'.repeat(64)}`,
      `ghcr.io/a/b:1@sha256:${'0'.repeat(64)}`,
    ]) {
      expect(ok(imageRef, v), v).toBe(true);
    }
    expect(why(imageRef, 'ghcr.io/Team/App')).toMatch(/repositories are lowercase/);
    expect(why(imageRef, 'app:')).toMatch(/tag/);
    expect(why(imageRef, 'app@sha256:abc')).toMatch(/digest/);
    expect(why(imageRef, 'my app')).toMatch(/whitespace/);
    for (const v of ['-app', 'app-', 'app//x', 'a'.repeat(256)]) expect(ok(imageRef, v), v).toBe(false);
  });

  it('environment variable names and user names', () => {
    expect(ok(envName, 'RUSTFS_ACCESS_KEY')).toBe(true);
    expect(why(envName, '1BAD')).toMatch(/environment variable/);
    expect(posixUserName.parse(' admin ')).toBe('admin');
    expect(ok(posixUserName, '-root')).toBe(false);
    expect(ok(exportOwner, '1000:1000')).toBe(true);
    expect(ok(exportOwner, 'media')).toBe(true);
    expect(ok(exportOwner, 'a b')).toBe(false);
    expect(ok(fileMode, '2775')).toBe(true);
    expect(ok(fileMode, '999')).toBe(false);
  });

  it('paths: files on this machine, kubeconfig files, exported directories', () => {
    expect(absolutePath.parse(' /home/me/key ')).toBe('/home/me/key');
    expect(ok(absolutePath, 'C:\\Users\\me\\key')).toBe(true);
    expect(why(absolutePath, 'key.pem')).toMatch(/'key.pem' is relative/);
    expect(ok(kubeconfigPath, '~/.kube/config')).toBe(true);
    expect(why(kubeconfigPath, 'relative/kubeconfig')).toMatch(/'relative\/kubeconfig' is relative/);
    expect(ok(exportPath, '/srv/my media')).toBe(true);
    expect(why(exportPath, '/srv//media/')).toMatch(/not normalized; use "\/srv\/media"/);
    expect(why(exportPath, '/srv/../etc')).toMatch(/'\.\.'/);
    expect(why(exportPath, '/srv/a\nb')).toMatch(/control character/);
  });

  it('NFS clients and S3 endpoints', () => {
    expect(normalizeNfsClient(' FD00::0/64 ')).toBe('fd00::/64');
    for (const v of ['*', '10.0.0.0/24', 'node1.lan', '*.lan']) expect(ok(nfsClient, v), v).toBe(true);
    expect(why(nfsClient, '10.0.0.1/24')).toMatch(/10\.0\.0\.0\/24/);
    expect(ok(nfsClient, 'a(rw)')).toBe(false);
    expect(s3Endpoint.parse('https://s3.nas.lan:9000/')).toBe('https://s3.nas.lan:9000');
    expect(why(s3Endpoint, 'https://a:b@nas')).toMatch(/credentials/);
  });
});
