import { describe, expect, it } from 'vitest';
import { redactUrl, redactUrlsIn } from './redact-url';

describe('URL passwords', () => {
  it('are replaced by xxxxx as Go shows them; the rest is kept as written', () => {
    expect(redactUrl('https://admin:s3cret@10.0.0.5:6443')).toBe('https://admin:xxxxx@10.0.0.5:6443');
    expect(redactUrl('https://admin:p@ss@k3s.lan/prefix?x=1')).toBe('https://admin:xxxxx@k3s.lan/prefix?x=1');
    expect(redactUrl('https://admin@k3s.lan:6443')).toBe('https://admin@k3s.lan:6443');
    expect(redactUrl('https://k3s.lan:6443')).toBe('https://k3s.lan:6443');
    expect(redactUrl('https://[fd00::1]:6443/a:b@c')).toBe('https://[fd00::1]:6443/a:b@c');
    expect(redactUrl('not a url')).toBe('not a url');
  });

  it('are hidden inside messages', () => {
    expect(redactUrlsIn('Cannot reach https://u:pw@h:6443 (ECONNREFUSED); also http://v:x%40y@g/')).toBe(
      'Cannot reach https://u:xxxxx@h:6443 (ECONNREFUSED); also http://v:xxxxx@g/',
    );
  });
});
