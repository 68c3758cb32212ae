/** Readiness checks: Configuration, read through the upstream contracts of the stack's images. */
import type { Evidence, ReadinessCheck } from '@shared/readiness-schemas';
import { describeSource } from '../program';
import { configurationCheck } from '../program-checks';
import { SECRET_NAME } from '../score';
import {
  result,
  ref,
  containerField,
  componentOf,
  primaryWorkload,
  primaryContainer,
  missingPrimary,
  programOf,
  REAPPLY,
  placeOf,
} from './common';
import type { CheckInputs, Draft } from './common';

export function configFromEnv(i: CheckInputs): ReadinessCheck {
  const d: Draft = {
    id: 'configuration.env',
    title: 'Configuration comes from the environment and mounted files',
    category: 'configuration',
    weight: 3,
  };
  const w = primaryWorkload(i);
  const c = primaryContainer(i, w);
  if (!w || !c) return missingPrimary(d, i);
  const names = (c.env ?? []).map((e) => e.name);
  return configurationCheck(d, programOf(i, w, c), placeOf(i, w), names);
}

export function secretsFromSecrets(i: CheckInputs): ReadinessCheck {
  const d: Draft = {
    id: 'configuration.secret-env',
    title: 'Credentials come from Secrets, not plain env',
    category: 'configuration',
    weight: 5,
  };
  const literal: Evidence[] = [];
  const names: string[] = [];
  let fromSecrets = 0;
  const secretFiles = new Set<string>();
  for (const w of i.snap.workloads) {
    for (const c of w.spec.template.spec.containers) {
      for (const e of c.env ?? []) {
        if (e.valueFrom?.secretKeyRef) fromSecrets++;
        // The name only: the value of a literal secret is never put in a report.
        if (SECRET_NAME.test(e.name) && e.value !== undefined && e.value !== '') {
          names.push(e.name);
          literal.push({
            object: ref(w),
            field: containerField(c, `env[${e.name}].value`),
            value: `container ${c.name}: ${e.name} has a literal value`,
          });
        }
      }
      const program = programOf(i, w, c);
      for (const s of program.contract?.settings.known ?? []) {
        if (!s.secret || !program.settings.get(s.key)) continue;
        const source = program.sourceOf(s.key);
        if (source?.kind === 'env' && source.literal && !names.includes(source.name)) {
          names.push(source.name);
          literal.push({
            object: ref(w),
            field: containerField(c, `env[${source.name}].value`),
            value: `container ${c.name}: the credential ${s.key} is a literal value`,
          });
        } else if (source?.kind === 'file' && !source.file.secret) {
          names.push(s.key);
          literal.push({
            object: ref(w),
            field: `setting ${s.key}`,
            value: `container ${c.name}: the credential ${s.key} is in ${describeSource(source)}, readable by anyone who can read the namespace`,
          });
        } else if (source?.kind === 'file')
          secretFiles.add(`${source.file.path} (${source.file.origin}) of ${componentOf(w)}`);
      }
    }
  }
  const secretsSeen = i.snap.secrets.map((s) => `${s.name} (${s.keys.join(', ') || 'no keys'})`).join('; ');
  if (literal.length > 0) {
    return result(
      d,
      'fail',
      `Credentials with literal values: ${names.join(', ')}`,
      literal,
      'Move these values into a Kubernetes Secret (a variable with valueFrom.secretKeyRef, or the config file Homeport assembles from Secrets); re-applying the stack puts the rendered configuration back.',
      REAPPLY,
    );
  }
  const files = [...secretFiles];
  return result(
    d,
    'pass',
    `${fromSecrets} variables and ${files.length} config files carry credentials from Secrets; none holds a literal credential`,
    [
      { field: 'env[].valueFrom.secretKeyRef', value: `${fromSecrets} variables` },
      ...(files.length > 0 ? [{ field: 'config files with credentials', value: files.join('; ') }] : []),
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
