/**
 * Validation of rendered Kubernetes objects against the Kubernetes API schemas (kubernetes-models,
 * generated from the API's OpenAPI documents; @kubernetes-models/prometheus-operator, generated from
 * prometheus-operator's CRDs), for tests of every renderer and stack.
 *
 * validateKubeObjects throws, naming the object and the field, for a kind it has no schema for, a
 * field of the wrong type, a missing required field, and (unlike the models' own validate(), which
 * allows them: their compiled schemas carry no additionalProperties) a field the API does not define,
 * at any depth. The API server refuses those too (`kubectl apply --validate=strict`, the default).
 *
 * The field names come from the models' TypeScript declarations, read once with the TypeScript
 * checker: each declaration is generated from the same OpenAPI schema as the compiled validator, so
 * its properties are exactly the schema's properties, its index signatures the schema's maps, and
 * `unknown` marks the schema's free-form fields (x-kubernetes-preserve-unknown-fields).
 */
import { dirname, resolve } from 'node:path';
import { createRequire } from 'node:module';
import ts from 'typescript';
import type { KubeObject } from '../types';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { CronJob } from 'kubernetes-models/batch/v1/CronJob';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { PersistentVolume } from 'kubernetes-models/v1/PersistentVolume';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { Role } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role';
import { RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import { StatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';

type Validator = new (data: never) => { validate(): void };

/** apiVersion/kind -> the model class (types, required fields) and its declaration (field names). */
const kinds: Record<string, { model: Validator; module: string; iface: string }> = {
  'apps/v1/Deployment': { model: Deployment, module: 'kubernetes-models/apps/v1/Deployment', iface: 'IDeployment' },
  'apps/v1/StatefulSet': { model: StatefulSet, module: 'kubernetes-models/apps/v1/StatefulSet', iface: 'IStatefulSet' },
  'autoscaling/v2/HorizontalPodAutoscaler': {
    model: HorizontalPodAutoscaler,
    module: 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler',
    iface: 'IHorizontalPodAutoscaler',
  },
  'batch/v1/CronJob': { model: CronJob, module: 'kubernetes-models/batch/v1/CronJob', iface: 'ICronJob' },
  'batch/v1/Job': { model: Job, module: 'kubernetes-models/batch/v1/Job', iface: 'IJob' },
  'monitoring.coreos.com/v1/ServiceMonitor': {
    model: ServiceMonitor,
    module: '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor',
    iface: 'IServiceMonitor',
  },
  'networking.k8s.io/v1/Ingress': {
    model: Ingress,
    module: 'kubernetes-models/networking.k8s.io/v1/Ingress',
    iface: 'IIngress',
  },
  'networking.k8s.io/v1/NetworkPolicy': {
    model: NetworkPolicy,
    module: 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy',
    iface: 'INetworkPolicy',
  },
  'policy/v1/PodDisruptionBudget': {
    model: PodDisruptionBudget,
    module: 'kubernetes-models/policy/v1/PodDisruptionBudget',
    iface: 'IPodDisruptionBudget',
  },
  'rbac.authorization.k8s.io/v1/Role': {
    model: Role,
    module: 'kubernetes-models/rbac.authorization.k8s.io/v1/Role',
    iface: 'IRole',
  },
  'rbac.authorization.k8s.io/v1/RoleBinding': {
    model: RoleBinding,
    module: 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding',
    iface: 'IRoleBinding',
  },
  'v1/ConfigMap': { model: ConfigMap, module: 'kubernetes-models/v1/ConfigMap', iface: 'IConfigMap' },
  'v1/PersistentVolume': {
    model: PersistentVolume,
    module: 'kubernetes-models/v1/PersistentVolume',
    iface: 'IPersistentVolume',
  },
  'v1/PersistentVolumeClaim': {
    model: PersistentVolumeClaim,
    module: 'kubernetes-models/v1/PersistentVolumeClaim',
    iface: 'IPersistentVolumeClaim',
  },
  'v1/Secret': { model: Secret, module: 'kubernetes-models/v1/Secret', iface: 'ISecret' },
  'v1/Service': { model: Service, module: 'kubernetes-models/v1/Service', iface: 'IService' },
  'v1/ServiceAccount': {
    model: ServiceAccount,
    module: 'kubernetes-models/v1/ServiceAccount',
    iface: 'IServiceAccount',
  },
};

interface Declarations {
  checker: ts.TypeChecker;
  types: Map<string, ts.Type>;
}
let declarations: Declarations | undefined;

/** One program over a virtual file that names every kind's declared interface (built once, ~1 s). */
function loadDeclarations(): Declarations {
  if (declarations) return declarations;
  const root = dirname(createRequire(import.meta.url).resolve('kubernetes-models/package.json'));
  const file = resolve(root, '..', '..', '__homeport_kube_schema__.ts');
  const entries = Object.entries(kinds);
  const text = entries
    .map(([, k], i) => `import type { ${k.iface} as T${i} } from '${k.module}';\nexport type K${i} = T${i};`)
    .join('\n');
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const { getSourceFile, fileExists, readFile } = host;
  host.getSourceFile = (name, lang, ...rest) =>
    name === file ? ts.createSourceFile(name, text, lang) : getSourceFile.call(host, name, lang, ...rest);
  host.fileExists = (name) => name === file || fileExists.call(host, name);
  host.readFile = (name) => (name === file ? text : readFile.call(host, name));
  const program = ts.createProgram([file], options, host);
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(file);
  const moduleSymbol = source && checker.getSymbolAtLocation(source);
  if (!moduleSymbol) throw new Error('kube-schema: the declarations did not load');
  const exported = new Map(checker.getExportsOfModule(moduleSymbol).map((s) => [s.name, s]));
  const types = new Map<string, ts.Type>();
  entries.forEach(([key], i) => {
    const symbol = exported.get(`K${i}`);
    if (!symbol) throw new Error(`kube-schema: no declaration for ${key}`);
    types.set(key, checker.getDeclaredTypeOfSymbol(symbol));
  });
  declarations = { checker, types };
  return declarations;
}

const isFreeForm = (t: ts.Type) => (t.flags & (ts.TypeFlags.Unknown | ts.TypeFlags.Any)) !== 0;

/** The member of a (possibly union) type that describes a value of this shape, if any. */
function shapeOf(checker: ts.TypeChecker, type: ts.Type, array: boolean): ts.Type | undefined {
  const members = type.isUnion() ? type.types : [type];
  for (const m of members) {
    if (isFreeForm(m)) return m;
    if (
      array
        ? checker.isArrayType(m) || checker.isTupleType(m)
        : m.flags & ts.TypeFlags.Object && !checker.isArrayType(m)
    )
      return m;
    if (!array && m.isIntersection()) return m;
  }
  return undefined;
}

/** Throws for the first field of value its declared type does not define. */
function refuseUnknown(checker: ts.TypeChecker, value: unknown, type: ts.Type, path: string): void {
  if (value === null || typeof value !== 'object') return; // primitives: validate() checks their types
  const shape = shapeOf(checker, checker.getNonNullableType(type), Array.isArray(value));
  if (!shape || isFreeForm(shape)) return; // a wrong shape is validate()'s to refuse; free-form is free
  if (Array.isArray(value)) {
    const [element] = checker.getTypeArguments(shape as ts.TypeReference);
    if (element) value.forEach((v, i) => refuseUnknown(checker, v, element, `${path}[${i}]`));
    return;
  }
  const index = checker.getIndexInfoOfType(shape, ts.IndexKind.String);
  for (const [key, v] of Object.entries(value)) {
    const at = path ? `${path}.${key}` : key;
    const prop = shape.getProperty(key);
    if (prop) refuseUnknown(checker, v, checker.getTypeOfSymbol(prop), at);
    else if (index) refuseUnknown(checker, v, index.type, at);
    else throw new Error(`unknown field "${at}"`);
  }
}

/** Throws for the first object that does not validate (see the module comment). */
export function validateKubeObjects(objects: readonly KubeObject[]): void {
  for (const o of objects) {
    const key = `${o.apiVersion}/${o.kind}`;
    const kind = kinds[key];
    if (!kind) throw new Error(`no schema for ${o.apiVersion} ${o.kind} (${o.metadata.name})`);
    try {
      new kind.model(o as never).validate();
      const { checker, types } = loadDeclarations();
      const type = types.get(key);
      if (!type) throw new Error(`no declaration for ${key}`);
      refuseUnknown(checker, o, type, '');
    } catch (e) {
      throw new Error(`${o.kind} ${o.metadata.name}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
  }
}
