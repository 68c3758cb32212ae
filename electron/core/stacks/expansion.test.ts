import { describe, expect, it } from 'vitest';
import { escapeReferences, expandReferences } from './expansion';

const vars: Record<string, string> = { HOST: 'db', PORT: '5432', EMPTY: '' };
const expand = (s: string) => expandReferences(s, (name) => vars[name]);

describe('variable references as the kubelet expands them', () => {
  it('replaces defined references and keeps undefined ones as written', () => {
    expect(expand('postgres://$(HOST):$(PORT)/app')).toBe('postgres://db:5432/app');
    expect(expand('a$(EMPTY)b')).toBe('ab');
    expect(expand('$(MISSING)-$(HOST)')).toBe('$(MISSING)-db');
  });

  it('reads $$ as one literal $, and leaves other $ signs and shell syntax alone', () => {
    expect(expand('$$(HOST)')).toBe('$(HOST)');
    expect(expand('$$$(HOST)')).toBe('$db');
    expect(expand('cost: $5, ${HOST}, $HOST, $?')).toBe('cost: $5, ${HOST}, $HOST, $?');
    expect(expand('ends with $')).toBe('ends with $');
  });

  it('keeps unterminated and nested references as text', () => {
    expect(expand('$(HOST')).toBe('$(HOST');
    expect(expand('$(HOST)--$(')).toBe('db--$(');
    expect(expand('$(HO$(PORT))')).toBe('$(HO$(PORT))');
  });

  it('escapes literal text so that expansion gives it back unchanged', () => {
    for (const text of ['echo $(date)', 'price $$5', '$(HOST)', 'x$', '$(HO$(PORT))', 'plain']) {
      expect(expand(escapeReferences(text))).toBe(text);
    }
  });
});
