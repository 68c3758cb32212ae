/** Readiness checks: Configuration. */
import type { Evidence, ReadinessCheck } from '@shared/readiness-schemas';
import { SECRET_NAME } from '../score';
import { result, ref, containerField, apiWorkload, apiContainer, missingApi } from './common';
import type { CheckInputs, Draft } from './common';

export function configFromEnv(i: CheckInputs): ReadinessCheck {
  const d: Draft = {
    id: 'configuration.env',
    title: 'Configuration comes from the environment',
    category: 'configuration',
    weight: 3,
  };
  const w = apiWorkload(i.snap);
  const c = apiContainer(w);
  if (!w || !c) return missingApi(d);
  const names = (c.env ?? []).map((e) => e.name).filter((n) => n.startsWith('REVENGE_'));
  const evidence: Evidence[] = [
    { object: ref(w), field: containerField(c, 'env'), value: `${names.length} REVENGE_* variables` },
  ];
  if (names.length === 0) {
    return result(
      d,
      'fail',
      'The API gets no REVENGE_* settings from its environment',
      evidence,
      'Re-apply the stack: Homeport renders every setting as a REVENGE_* environment variable.',
      { label: 'Re-apply the stack', values: {} },
    );
  }
  return result(d, 'pass', `The API is configured by ${names.length} REVENGE_* variables`, evidence, '');
}

export function secretsFromSecrets(i: CheckInputs): ReadinessCheck {
  const d: Draft = {
    id: 'configuration.secret-env',
    title: 'Secrets come from Secrets, not plain env',
    category: 'configuration',
    weight: 5,
  };
  const literal: Evidence[] = [];
  let fromSecrets = 0;
  for (const w of i.snap.workloads) {
    for (const c of w.spec.template.spec.containers) {
      for (const e of c.env ?? []) {
        if (e.valueFrom?.secretKeyRef) fromSecrets++;
        // The name only: the value of a literal secret is never put in a report.
        if (SECRET_NAME.test(e.name) && e.value !== undefined && e.value !== '') {
          literal.push({
            object: ref(w),
            field: containerField(c, `env[${e.name}].value`),
            value: `container ${c.name}: ${e.name} has a literal value`,
          });
        }
      }
    }
  }
  const secretsSeen = i.snap.secrets.map((s) => `${s.name} (${s.keys.join(', ') || 'no keys'})`).join('; ');
  if (literal.length > 0) {
    const names = literal.map((e) => e.field?.replace(/^.*env\[(.*)\]\.value$/, '$1')).join(', ');
    return result(
      d,
      'fail',
      `Secret-looking variables with literal values: ${names}`,
      literal,
      'Move these values into a Kubernetes Secret and reference them with valueFrom.secretKeyRef; re-applying the stack puts the rendered environment back (Homeport keeps every credential in the stack Secret).',
      { label: 'Re-apply the stack', values: {} },
    );
  }
  return result(
    d,
    'pass',
    `${fromSecrets} variables come from Secrets; none holds a literal credential`,
    [
      { field: 'env[].valueFrom.secretKeyRef', value: `${fromSecrets} variables` },
      { object: 'Secrets', value: secretsSeen || 'none' },
    ],
    '',
  );
}

const CREDENTIAL_IN_URL = /:\/\/[^/\s:@]+:[^/\s@$]+@/;

export function configMapCredentials(i: CheckInputs): ReadinessCheck {
  const d: Draft = {
    id: 'configuration.configmaps',
    title: 'No plain credentials in ConfigMaps',
    category: 'configuration',
    weight: 3,
  };
  const found: Evidence[] = [];
  for (const cm of i.snap.configMaps) {
    for (const [key, value] of Object.entries(cm.data ?? {})) {
      if (SECRET_NAME.test(key))
        found.push({
          object: `ConfigMap/${cm.metadata.name}`,
          field: `data[${key}]`,
          value: 'a credential-looking key',
        });
      else if (CREDENTIAL_IN_URL.test(value))
        found.push({ object: `ConfigMap/${cm.metadata.name}`, field: `data[${key}]`, value: 'a URL with a password' });
    }
  }
  if (found.length > 0) {
    return result(
      d,
      'fail',
      `${found.length} ConfigMap entries hold credentials`,
      found,
      'Move credentials from ConfigMaps into Secrets; ConfigMaps are readable by anyone who can read the namespace.',
    );
  }
  return result(
    d,
    'pass',
    `${i.snap.configMaps.length} ConfigMaps, none holding credentials`,
    [{ object: 'ConfigMaps', value: i.snap.configMaps.map((c) => c.metadata.name).join(', ') || 'none' }],
    '',
  );
}
