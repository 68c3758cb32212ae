import type { FieldIssue } from '@shared/deploy-schemas';
import {
  constOf,
  defaultsOf,
  discriminated,
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
  type JsonSchema,
  type Values,
} from './schema-values';

interface FormProps {
  schema: JsonSchema;
  values: Values;
  issues: FieldIssue[];
  onChange(values: Values): void;
}

/** A form generated from a stack's values schema, with each field's errors under it. */
export function SchemaForm({ schema, values, issues, onChange }: FormProps) {
  // Issues on fields the form has no input for (an unknown field from a values file) still show.
  const shown = new Set(formPaths(schema, values));
  const rest = issues.filter((i) => !shown.has(i.path));
  return (
    <div className="schema-form">
      <ObjectFields
        schema={schema}
        path={[]}
        values={values}
        issues={issues}
        onSet={(path, value) => onChange(setAt(values, path, value))}
      />
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
  schema: JsonSchema;
  path: string[];
  values: Values;
  issues: FieldIssue[];
  onSet(path: string[], value: unknown): void;
}

function ObjectFields(props: FieldsProps) {
  const { schema, path } = props;
  const union = discriminated(schema);
  if (union) return <UnionFields {...props} union={union} />;
  return (
    <>
      {Object.entries(schema.properties ?? {}).map(([key, prop]) => {
        const childPath = [...path, key];
        const id = childPath.join('.');
        if (isGroup(prop)) {
          return (
            <fieldset key={id} className="schema-group" data-testid={`group-${id}`}>
              <legend>{labelFor(key, prop)}</legend>
              {prop.description ? <p className="muted small">{prop.description}</p> : null}
              <ObjectFields {...props} schema={prop} path={childPath} />
            </fieldset>
          );
        }
        return <Field key={id} {...props} schema={prop} path={childPath} name={key} />;
      })}
    </>
  );
}

function UnionFields(props: FieldsProps & { union: { key: string; variants: JsonSchema[] } }) {
  const { union, path, values, onSet } = props;
  const current = getAt(values, [...path, union.key]);
  const chosen = union.variants.find((v) => constOf(v.properties?.[union.key]) === current) ?? union.variants[0];
  const id = [...path, union.key].join('.');
  const switchTo = (value: string) => {
    const variant = union.variants.find((v) => String(constOf(v.properties?.[union.key])) === value);
    if (!variant) return;
    const defaults = defaultsOf(variant);
    onSet(path, { ...(isRecord(defaults) ? defaults : {}), [union.key]: constOf(variant.properties?.[union.key]) });
  };
  const rest: JsonSchema = {
    ...chosen,
    properties: Object.fromEntries(Object.entries(chosen?.properties ?? {}).filter(([k]) => k !== union.key)),
  };
  return (
    <>
      <div className="field">
        <label htmlFor={`f-${id}`}>{labelFor(union.key, chosen?.properties?.[union.key] ?? {})}</label>
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
      </div>
      <ObjectFields {...props} schema={rest} />
    </>
  );
}

function Field({ schema, path, name, values, issues, onSet }: FieldsProps & { name: string }) {
  const id = path.join('.');
  const value = getAt(values, path);
  const errors = issues.filter((i) => i.path === id);
  const kind = kindOf(schema);
  const nullable = isNullable(schema);
  const common = {
    id: `f-${id}`,
    'data-testid': `field-${id}`,
    'aria-invalid': errors.length > 0,
    'aria-describedby': errors.length > 0 ? `e-${id}` : undefined,
  };
  let input;
  if (schema.enum) {
    input = (
      <select {...common} value={String(value ?? '')} onChange={(e) => onSet(path, e.target.value)}>
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
        onChange={(e) => onSet(path, list ? textToList(e.target.value) : textToMap(e.target.value))}
      />
    );
  } else if (kind === 'boolean') {
    input = (
      <input {...common} type="checkbox" checked={value === true} onChange={(e) => onSet(path, e.target.checked)} />
    );
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
          if (text === '' && nullable) onSet(path, null);
          else onSet(path, text !== '' && Number.isFinite(n) ? n : e.target.value);
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
        onChange={(e) => onSet(path, e.target.value)}
      />
    );
  }
  return (
    <div className={`field${kind === 'boolean' ? ' field-check' : ''}`}>
      <label htmlFor={`f-${id}`}>{labelFor(name, schema)}</label>
      {input}
      {schema.description ? <div className="muted small">{schema.description}</div> : null}
      {errors.length > 0 ? (
        <div id={`e-${id}`} className="error small" role="alert" data-field-error={id}>
          {errors.map((e) => e.message).join('; ')}
        </div>
      ) : null}
    </div>
  );
}
