import type { ReactNode } from 'react';
import type { FieldIssue } from '@shared/deploy-schemas';
import type { TargetKind } from '@shared/target-schemas';
import './deploy-form.css';
import {
  constOf,
  defaultsOf,
  discriminated,
  fieldMarks,
  fieldMessage,
  formPaths,
  getAt,
  isGroup,
  isNullable,
  isRecord,
  listToText,
  mapToText,
  textToList,
  textToMap,
  kindOf,
  labelFor,
  setAt,
  shortValue,
  shownProperties,
  type JsonSchema,
  type Values,
} from './schema-values';

interface FormProps {
  schema: JsonSchema;
  values: Values;
  issues: FieldIssue[];
  /** The kind of target: fields only the other kind reads are hidden. */
  target: TargetKind | undefined;
  /** The live revision's values, when the stack is deployed to the target: changed fields are marked. */
  live: Values | undefined;
  /** The stack's defaults: fields that differ from them are marked. */
  defaults: unknown;
  onChange(values: Values): void;
}

interface Context {
  values: Values;
  issues: FieldIssue[];
  target: TargetKind | undefined;
  live: Values | undefined;
  defaults: unknown;
  onSet(path: string[], value: unknown): void;
}

/**
 * A form generated from a stack's values schema: one card per component, each field with its
 * errors under it and marks saying how it differs from what is deployed and from the defaults.
 */
export function SchemaForm({ schema, values, issues, target, live, defaults, onChange }: FormProps) {
  // Issues on fields the form has no input for (an unknown field from a values file) still show.
  const shown = new Set(formPaths(schema, values, target));
  const rest = issues.filter((i) => !shown.has(i.path));
  const ctx: Context = {
    values,
    issues,
    target,
    live,
    defaults,
    onSet: (path, value) => onChange(setAt(values, path, value)),
  };
  const properties = shownProperties(schema, target);
  const leaves = properties.filter(([, prop]) => !isGroup(prop));
  const groups = properties.filter(([, prop]) => isGroup(prop));
  return (
    <div className="schema-form">
      {leaves.length > 0 ? (
        <div className="schema-groups">
          <ObjectFields ctx={ctx} schema={{ properties: Object.fromEntries(leaves) }} path={[]} />
        </div>
      ) : null}
      <div className="schema-groups">
        {groups.map(([key, prop]) => (
          <Group key={key} ctx={ctx} name={key} schema={prop} path={[key]} top />
        ))}
      </div>
      {rest.length > 0 ? (
        <ul className="error small" role="alert" data-testid="values-issues">
          {rest.map((i) => (
            <li key={`${i.path}:${i.message}`} data-field-error={i.path}>
              <span className="mono">{i.path || 'values'}</span>: {i.message}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

interface FieldsProps {
  ctx: Context;
  schema: JsonSchema;
  path: string[];
}

function Group({ ctx, name, schema, path, top }: FieldsProps & { name: string; top?: boolean }) {
  const id = path.join('.');
  return (
    <fieldset className={`schema-group${top ? ' schema-component' : ''}`} data-testid={`group-${id}`}>
      <legend>{labelFor(name, schema)}</legend>
      {schema.description ? <p className="muted small group-help">{schema.description}</p> : null}
      <ObjectFields ctx={ctx} schema={schema} path={path} />
    </fieldset>
  );
}

function ObjectFields(props: FieldsProps) {
  const { ctx, schema, path } = props;
  const union = discriminated(schema);
  if (union) return <UnionFields {...props} union={union} />;
  return (
    <>
      {shownProperties(schema, ctx.target).map(([key, prop]) => {
        const childPath = [...path, key];
        if (isGroup(prop)) return <Group key={key} ctx={ctx} name={key} schema={prop} path={childPath} />;
        return <Field key={key} ctx={ctx} schema={prop} path={childPath} name={key} />;
      })}
    </>
  );
}

function UnionFields(props: FieldsProps & { union: { key: string; variants: JsonSchema[] } }) {
  const { union, path, ctx } = props;
  const current = getAt(ctx.values, [...path, union.key]);
  const chosen = union.variants.find((v) => constOf(v.properties?.[union.key]) === current) ?? union.variants[0];
  const id = [...path, union.key].join('.');
  const switchTo = (value: string) => {
    const variant = union.variants.find((v) => String(constOf(v.properties?.[union.key])) === value);
    if (!variant) return;
    const defaults = defaultsOf(variant);
    ctx.onSet(path, { ...(isRecord(defaults) ? defaults : {}), [union.key]: constOf(variant.properties?.[union.key]) });
  };
  const rest: JsonSchema = {
    ...chosen,
    properties: Object.fromEntries(Object.entries(chosen?.properties ?? {}).filter(([k]) => k !== union.key)),
  };
  return (
    <>
      <FieldFrame
        ctx={ctx}
        path={[...path, union.key]}
        label={labelFor(union.key, chosen?.properties?.[union.key] ?? {})}
      >
        <select
          id={`f-${id}`}
          data-testid={`field-${id}`}
          value={String(current ?? '')}
          onChange={(e) => switchTo(e.target.value)}
        >
          {union.variants.map((v) => {
            const value = String(constOf(v.properties?.[union.key]));
            return (
              <option key={value} value={value}>
                {v.description ? `${value}: ${v.description}` : value}
              </option>
            );
          })}
        </select>
      </FieldFrame>
      <ObjectFields {...props} schema={rest} />
    </>
  );
}

/** A field's label, input, help, marks and errors. */
function FieldFrame({
  ctx,
  path,
  label,
  schema,
  check,
  children,
}: {
  ctx: Context;
  path: string[];
  label: string;
  schema?: JsonSchema;
  check?: boolean;
  children: ReactNode;
}) {
  const id = path.join('.');
  const errors = ctx.issues.filter((i) => i.path === id);
  const marks = fieldMarks(path, ctx.values, ctx.live, ctx.defaults);
  const classes = ['field', check ? 'field-check' : '', marks.changedFromLive ? 'field-changed' : ''];
  return (
    <div
      className={classes.filter(Boolean).join(' ')}
      data-field={id}
      data-changed-from-live={marks.changedFromLive}
      data-differs-from-default={marks.differsFromDefault}
    >
      <label htmlFor={`f-${id}`}>{label}</label>
      {children}
      {schema?.description ? <div className="muted small">{schema.description}</div> : null}
      {marks.changedFromLive || marks.differsFromDefault ? (
        <div className="field-marks small">
          {marks.changedFromLive ? (
            <span className="mark mark-live" data-testid={`mark-live-${id}`}>
              Changed from deployed (was {shortValue(getAt(ctx.live, path))})
            </span>
          ) : null}
          {marks.differsFromDefault ? (
            <span className="mark mark-default" data-testid={`mark-default-${id}`}>
              Differs from default ({shortValue(getAt(ctx.defaults, path))})
            </span>
          ) : null}
        </div>
      ) : null}
      {errors.length > 0 ? (
        <div id={`e-${id}`} className="error small" role="alert" data-field-error={id}>
          {errors.map((e) => (schema ? fieldMessage(e.message, schema) : e.message)).join('; ')}
        </div>
      ) : null}
    </div>
  );
}

function Field({ ctx, schema, path, name }: FieldsProps & { name: string }) {
  const id = path.join('.');
  const value = getAt(ctx.values, path);
  const invalid = ctx.issues.some((i) => i.path === id);
  const kind = kindOf(schema);
  const nullable = isNullable(schema);
  const onSet = (v: unknown) => ctx.onSet(path, v);
  const common = {
    id: `f-${id}`,
    'data-testid': `field-${id}`,
    'aria-invalid': invalid,
    'aria-describedby': invalid ? `e-${id}` : undefined,
  };
  let input;
  if (schema.enum) {
    input = (
      <select {...common} value={String(value ?? '')} onChange={(e) => onSet(e.target.value)}>
        {schema.enum.map((option) => (
          <option key={String(option)} value={String(option)}>
            {String(option)}
          </option>
        ))}
      </select>
    );
  } else if (kind === 'array' || kind === 'object') {
    // Lists as one item per line, maps as KEY=value lines.
    const list = kind === 'array';
    input = (
      <textarea
        {...common}
        className="mono"
        rows={3}
        defaultValue={list ? listToText(value) : mapToText(value)}
        placeholder={list ? 'one per line' : 'KEY=value, one per line'}
        onChange={(e) => onSet(list ? textToList(e.target.value) : textToMap(e.target.value))}
      />
    );
  } else if (kind === 'boolean') {
    input = <input {...common} type="checkbox" checked={value === true} onChange={(e) => onSet(e.target.checked)} />;
  } else if (kind === 'integer' || kind === 'number') {
    input = (
      <input
        {...common}
        type="text"
        inputMode="numeric"
        value={value === undefined || value === null ? '' : String(value)}
        // A number when it parses, else the text as typed, so the schema names the field's problem.
        placeholder={nullable ? 'empty: none' : undefined}
        onChange={(e) => {
          const text = e.target.value.trim();
          const n = Number(text);
          if (text === '' && nullable) onSet(null);
          else onSet(text !== '' && Number.isFinite(n) ? n : e.target.value);
        }}
      />
    );
  } else {
    input = (
      <input
        {...common}
        type="text"
        className="mono"
        value={value === undefined || value === null ? '' : String(value)}
        onChange={(e) => onSet(e.target.value)}
      />
    );
  }
  return (
    <FieldFrame ctx={ctx} path={path} label={labelFor(name, schema)} schema={schema} check={kind === 'boolean'}>
      {input}
    </FieldFrame>
  );
}
