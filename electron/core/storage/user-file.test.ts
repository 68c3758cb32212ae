import { mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeFifo, releaseFifos, sparseFile, within } from './testing/special-files';
import { readUserFile, readUserText, USER_FILE_LIMITS, UserFileError } from './user-file';
import { MAX_YAML_DEPTH, parseUserYaml, yamlDepthBound } from './user-yaml';

const dir = mkdtempSync(join(tmpdir(), 'homeport-userfile-'));
afterAll(releaseFifos);

describe('reading a file the user named', () => {
  it('reads a regular file, also through a symbolic link', async () => {
    const file = join(dir, 'values.yaml');
    writeFileSync(file, 'replicas: 2\n');
    symlinkSync(file, join(dir, 'link.yaml'));
    expect(await readUserText(join(dir, 'link.yaml'), { kind: 'values', field: '--values:' })).toBe('replicas: 2\n');
  });

  it('refuses a FIFO at once instead of waiting for a writer forever', async () => {
    const fifo = makeFifo('values.fifo');
    const read = readUserText(fifo, { kind: 'values', field: '--values:' });
    await expect(within(read, 1000)).rejects.toThrow(
      `--values: ${fifo} is a FIFO (named pipe), not a regular file; name a regular file`,
    );
  });

  it('keeps file reads of the whole process working while users name FIFOs (libuv has 4 threads)', async () => {
    const reads = Array.from({ length: 8 }, (_, i) =>
      readUserFile(makeFifo(`pool-${i}.fifo`), { kind: 'pem', field: 'CA' }).catch((e: unknown) => e),
    );
    const plain = join(dir, 'plain.txt');
    writeFileSync(plain, 'still answers');
    expect(await within(readFile(plain, 'utf8'), 2000)).toBe('still answers');
    for (const r of await Promise.all(reads)) expect(r).toBeInstanceOf(UserFileError);
  });

  it('refuses /dev/zero, a directory, and a missing file, naming the field and the path', async () => {
    const spec = { kind: 'pem' as const, field: "'certificate-authority' of context 'home':" };
    await expect(within(readUserFile('/dev/zero', spec))).rejects.toThrow(
      "'certificate-authority' of context 'home': /dev/zero is a character device, not a regular file",
    );
    await expect(readUserFile(dir, spec)).rejects.toThrow(`${dir} is a directory, not a regular file`);
    const missing = readUserFile(join(dir, 'nope.pem'), spec);
    await expect(missing).rejects.toMatchObject({ code: 'NOT_FOUND', errno: 'ENOENT' });
    await expect(missing).rejects.toThrow(/nope\.pem does not exist; check the path/);
  });

  it('refuses a file larger than its kind allows before reading any of it', async () => {
    const huge = sparseFile('huge.yaml', 200 * 1024 * 1024);
    await expect(within(readUserText(huge, { kind: 'values', field: '--values:' }), 1000)).rejects.toThrow(
      `--values: ${huge} is 200 MiB, more than the 4 MiB Homeport reads for this file`,
    );
    const justRight = sparseFile('ok.pem', USER_FILE_LIMITS.pem);
    expect((await readUserFile(justRight, { kind: 'pem', field: 'CA' })).length).toBe(USER_FILE_LIMITS.pem);
  });
});

describe('parsing YAML the user wrote', () => {
  it('says a 100,000-deep file nests too deeply, quickly, instead of overflowing the stack', () => {
    const started = Date.now();
    for (const text of [
      '['.repeat(100_000) + ']'.repeat(100_000),
      '- '.repeat(100_000) + 'x',
      '{a: '.repeat(100_000) + '1' + '}'.repeat(100_000),
      'a: "]]]]"\nb: &x !!seq ' + '['.repeat(100_000),
      Array.from({ length: 1000 }, (_, i) => `${' '.repeat(i)}k:`).join('\n'),
    ]) {
      expect(() => parseUserYaml(text, '--values: deep.yaml')).toThrow(
        `--values: deep.yaml nests lists and mappings more than ${MAX_YAML_DEPTH} levels deep`,
      );
    }
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('reads ordinary files, block scalars full of brackets included', () => {
    const text = [
      'apiVersion: v1',
      'clusters:',
      '- cluster:',
      '    server: https://10.0.0.5:6443',
      '  name: home',
      "note: it's [not a list",
      'script: |',
      `  ${'['.repeat(500)}`,
      'after: {a: [1, {b: "]]"}]}',
    ].join('\n');
    expect(yamlDepthBound(text)).toBeLessThan(16);
    expect(parseUserYaml(text, 'f')).toMatchObject({
      clusters: [{ name: 'home' }],
      note: "it's [not a list",
      script: `${'['.repeat(500)}\n`,
      after: { a: [1, { b: ']]' }] },
    });
  });

  it('refuses an alias bomb', () => {
    const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 12; i++)
      lines.push(
        `a${i}: &a${i} [${Array(10)
          .fill(`*a${i - 1}`)
          .join(', ')}]`,
      );
    expect(() => parseUserYaml(lines.join('\n'), 'f')).toThrow(/alias|Excessive/i);
  });
});
