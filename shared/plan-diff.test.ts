import { describe, expect, it } from 'vitest';
import {
  describeValueChange,
  foldRows,
  isSecretKey,
  lineDiff,
  secretValueTest,
  summarizeValueChanges,
  valuesDiff,
} from './plan-diff';

describe('valuesDiff', () => {
  it('lists changed, added and removed values as dotted paths, sorted', () => {
    const before = { logging: { level: 'info', format: 'text' }, api: { replicas: 2 }, old: true };
    const after = { logging: { level: 'debug', format: 'text' }, api: { replicas: 2, autoscale: { min: 1 } } };
    expect(valuesDiff(before, after)).toEqual([
      { path: 'api.autoscale.min', after: '1' },
      { path: 'logging.level', before: 'info', after: 'debug' },
      { path: 'old', before: 'true' },
    ]);
    expect(describeValueChange({ path: 'logging.level', before: 'info', after: 'debug' })).toBe(
      'logging.level: info → debug',
    );
    expect(describeValueChange({ path: 'old', before: 'true' })).toBe('old: true → (unset)');
  });

  it('compares arrays as whole values and shows them as JSON', () => {
    expect(valuesDiff({ hosts: ['a'] }, { hosts: ['a', 'b'] })).toEqual([
      { path: 'hosts', before: '["a"]', after: '["a","b"]' },
    ]);
    expect(valuesDiff({ a: 1 }, { a: 1 })).toEqual([]);
  });

  it('never shows a credential, only whether it changed', () => {
    const diff = valuesDiff(
      { db: { password: 'hunter2-old' }, token: 'tok-1', apiKeySecret: 'radarr-secrets' },
      { db: { password: 'hunter2-new' }, token: 'tok-1', apiKeySecret: 'radarr-keys', s3: { accessKey: 'AKIA1' } },
    );
    expect(diff).toEqual([
      { path: 'apiKeySecret', before: 'radarr-secrets', after: 'radarr-keys' },
      { path: 'db.password', before: '(secret)', after: '(secret, changed)' },
      { path: 's3.accessKey', after: '(secret)' },
    ]);
    const text = JSON.stringify(diff);
    for (const v of ['hunter2-old', 'hunter2-new', 'tok-1', 'AKIA1']) expect(text).not.toContain(v);
  });

  it('masks a value stored in a secret whatever its key is called', () => {
    const inSecret = secretValueTest(['root-admin', '']);
    expect(valuesDiff({ adminUser: 'admin' }, { adminUser: 'root-admin' }, inSecret)).toEqual([
      { path: 'adminUser', before: '(secret)', after: '(secret, changed)' },
    ]);
    // An empty value stored somewhere does not mask every empty value.
    expect(valuesDiff({ note: '' }, { note: 'x' }, inSecret)).toEqual([{ path: 'note', before: '""', after: 'x' }]);
  });

  it('tells credentials from the names of where they live', () => {
    for (const k of ['password', 'db-password', 'REVENGE_DB_PASSWORD', 'RUSTFS_SECRET_KEY', 'api-key', 'token'])
      expect(isSecretKey(k), k).toBe(true);
    for (const k of ['credentialsSecret', 'apiKeySecret', 'passwordFile', 'level', 'replicas', 'secretName'])
      expect(isSecretKey(k), k).toBe(false);
  });

  it('sums up a diff in one line', () => {
    const changes = valuesDiff({ a: 1, b: 1, c: 1 }, { a: 2, b: 2, c: 2 });
    expect(summarizeValueChanges(changes)).toBe('a: 1 → 2; b: 1 → 2 (+1 more)');
    expect(summarizeValueChanges([])).toBe('no value changed');
  });
});

describe('lineDiff', () => {
  it('pairs removed and added lines into changed rows and keeps the common ones', () => {
    const rows = lineDiff(['a', 'level: info', 'c', 'gone'], ['a', 'level: debug', 'c', 'new1', 'new2']);
    expect(rows).toEqual([
      { kind: 'same', left: 'a', right: 'a' },
      { kind: 'changed', left: 'level: info', right: 'level: debug' },
      { kind: 'same', left: 'c', right: 'c' },
      { kind: 'changed', left: 'gone', right: 'new1' },
      { kind: 'added', right: 'new2' },
    ]);
  });

  it('shows a created object as all added and a deleted one as all removed', () => {
    expect(lineDiff([], ['x', 'y']).map((r) => r.kind)).toEqual(['added', 'added']);
    expect(lineDiff(['x'], []).map((r) => r.kind)).toEqual(['removed']);
    expect(lineDiff(['x', 'y'], ['x', 'y']).every((r) => r.kind === 'same')).toBe(true);
  });

  it('keeps the longest common run: an inserted line does not shift everything below into changes', () => {
    const left = ['1', '2', '3', '4', '5'];
    const right = ['1', '2', 'inserted', '3', '4', '5'];
    expect(lineDiff(left, right).filter((r) => r.kind !== 'same')).toEqual([{ kind: 'added', right: 'inserted' }]);
  });

  it('folds unchanged runs far from any change', () => {
    const left = Array.from({ length: 20 }, (_, i) => `line ${i}`);
    const right = left.map((l, i) => (i === 10 ? 'changed' : l));
    const folded = foldRows(lineDiff(left, right), 2);
    expect(folded.map((r) => (r.kind === 'fold' ? `fold ${r.count}` : r.kind))).toEqual([
      'fold 8',
      'same',
      'same',
      'changed',
      'same',
      'same',
      'fold 7',
    ]);
  });
});
