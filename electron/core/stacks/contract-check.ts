/**
 * Checks rendered objects against the upstream contracts of the images they run: a probe on a path
 * the program does not serve, a port it does not listen on, a variable it does not read, a config
 * file it would not find, a host name it expects and nobody answers to. Each problem names the
 * object, the field and what the program does instead.
 *
 * Start-up is checked by handing the container's inputs (environment, mounted files with their
 * templates filled by sample values, the stack's service names) to the same `startProblems` the
 * stand-ins and the sandbox run.
 */
import { programInputs } from './env-files';
import { TEMPLATE_REF } from './model';
import type { SwarmServiceSpec, SwarmStack } from './swarm';
import { SECRETS_DIR } from './swarm';
import {
  GENERATED_HEX_KEYS_ANNOTATION,
  GENERATED_KEYS_ANNOTATION,
  TEMPLATES_ANNOTATION,
  type KubeObject,
} from './types';
import {
  answersHttp,
  contractForImage,
  listensOn,
  settingOfEnv,
  startProblems,
  type ImageContract,
  type SettingsContract,
} from './upstream';

/** Sample values that satisfy the programs' own checks: the shape of what Homeport generates. */
const SAMPLE_TOKEN = 'T'.repeat(43);
const SAMPLE_HEX = 'ab'.repeat(32);
const SAMPLE_PROVIDED = 'provided-sample';

interface ContainerLike {
  name: string;
  image: string;
  args?: string[];
  command?: string[];
  ports?: { name?: string; containerPort: number }[];
  env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[];
  volumeMounts?: { name: string; mountPath: string; subPath?: string }[];
  securityContext?: { readOnlyRootFilesystem?: boolean };
  startupProbe?: ProbeLike;
  livenessProbe?: ProbeLike;
  readinessProbe?: ProbeLike;
}
interface ProbeLike {
  httpGet?: { path: string; port: number | string };
  tcpSocket?: { port: number | string };
  exec?: { command: string[] };
}
interface PodSpecLike {
  containers: ContainerLike[];
  volumes?: { name: string; secret?: { secretName: string }; emptyDir?: object }[];
  securityContext?: { runAsUser?: number };
}

/** Variables the program would read under another name, or not at all. */
function envProblems(c: ImageContract, names: string[], where: string): string[] {
  const s: SettingsContract = c.settings;
  const out: string[] = [];
  const known = new Set(s.known.map((k) => k.key));
  for (const name of names) {
    if (name.endsWith('_FILE') && !s.fileVariables.supported) {
      out.push(`${where}: ${name}: ${c.component} reads no _FILE variables (${s.fileVariables.ref})`);
      continue;
    }
    if (s.env.kind !== 'prefix' || !name.startsWith(s.env.prefix)) continue;
    const key = settingOfEnv(s.env, name) ?? '';
    if (!known.has(key)) {
      out.push(`${where}: ${name} sets '${key}', which ${c.component} does not read (${s.env.ref})`);
    }
  }
  return out;
}

/** A start wrapper needs the image's shell and must run the image's own program. */
function wrapperProblems(c: ImageContract, wrapped: boolean, command: readonly string[], where: string): string[] {
  if (!wrapped) return [];
  const out: string[] = [];
  if (!c.tools.includes('sh')) out.push(`${where}: the start wrapper needs sh, which the ${c.component} image lacks`);
  const program = command[4];
  if (program !== c.program?.name) {
    out.push(
      `${where}: the start wrapper runs ${program ?? 'nothing'}, not ${c.component}'s program ${c.program?.name ?? '(none known)'}`,
    );
  }
  return out;
}

function requiredArgProblems(c: ImageContract, args: readonly string[], where: string): string[] {
  return (c.requiredArgs?.args ?? [])
    .filter((a) => !args.includes(a))
    .map((a) => `${where}: missing argument ${a}: ${c.requiredArgs?.why ?? ''} (${c.requiredArgs?.ref ?? ''})`);
}

function probeProblem(
  c: ImageContract,
  container: ContainerLike,
  owner: string,
  kind: string,
  p: ProbeLike | undefined,
): string[] {
  if (!p) return [];
  const port = (ref: number | string) =>
    typeof ref === 'number' ? ref : (container.ports?.find((x) => x.name === ref)?.containerPort ?? -1);
  const where = `${owner} ${kind}`;
  if (p.httpGet) {
    const n = port(p.httpGet.port);
    if (!answersHttp(c, n, p.httpGet.path)) {
      const served = c.http.filter((e) => e.port === n).map((e) => e.path);
      return [
        `${where}: GET :${n}${p.httpGet.path} answers 404 in ${c.component}` +
          (served.length > 0 ? ` (it serves ${served.join(', ')} on ${n})` : ` (it serves no HTTP on ${n})`),
      ];
    }
  }
  if (p.tcpSocket && !listensOn(c, port(p.tcpSocket.port))) {
    return [`${where}: ${c.component} does not listen on ${String(p.tcpSocket.port)}`];
  }
  const program = p.exec?.command[0];
  if (program !== undefined && !c.tools.includes(program)) {
    return [`${where}: ${program} is not in the ${c.component} image (it has ${c.tools.join(', ')})`];
  }
  return [];
}

/** Every secret value a rendered Kubernetes manifest stands for, with samples for generated and provided keys. */
function kubeSecretSamples(objects: KubeObject[]): (secret: string, key: string) => string | undefined {
  const values = new Map<string, string>();
  const list = (o: KubeObject, a: string) => (o.metadata.annotations?.[a] ?? '').split(',').filter(Boolean);
  const secrets = objects.filter((o) => o.kind === 'Secret');
  for (const o of secrets) {
    const hex = new Set(list(o, GENERATED_HEX_KEYS_ANNOTATION));
    for (const k of list(o, GENERATED_KEYS_ANNOTATION))
      values.set(`${o.metadata.name}/${k}`, hex.has(k) ? SAMPLE_HEX : SAMPLE_TOKEN);
    for (const k of list(o, 'homeport.dev/provided-keys')) values.set(`${o.metadata.name}/${k}`, SAMPLE_PROVIDED);
    for (const [k, v] of Object.entries((o.stringData ?? {}) as Record<string, string>))
      values.set(`${o.metadata.name}/${k}`, v);
  }
  const lookup = (secret: string, key: string) => values.get(`${secret}/${key}`) ?? `${SAMPLE_PROVIDED}`;
  for (const o of secrets) {
    const templates = JSON.parse(o.metadata.annotations?.[TEMPLATES_ANNOTATION] ?? '{}') as Record<string, string>;
    for (const [k, t] of Object.entries(templates)) {
      values.set(
        `${o.metadata.name}/${k}`,
        t.replace(TEMPLATE_REF, (_m, s: string, key: string) => lookup(s, key)),
      );
    }
  }
  return (secret, key) => values.get(`${secret}/${key}`);
}

/** Problems of the Kubernetes objects against the contracts of their images; empty when faithful. */
export function checkKubernetes(objects: KubeObject[], contracts: readonly ImageContract[]): string[] {
  const problems: string[] = [];
  const hosts = new Set(objects.filter((o) => o.kind === 'Service').map((o) => o.metadata.name));
  const secret = kubeSecretSamples(objects);
  for (const w of objects.filter((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet')) {
    const template = (
      w.spec as { template: { metadata?: { annotations?: Record<string, string> }; spec: PodSpecLike } }
    ).template;
    const pod = template.spec;
    for (const container of pod.containers) {
      const c = contractForImage(contracts, container.image);
      if (!c) continue;
      const where = `${w.kind}/${w.metadata.name} container ${container.name}`;
      for (const p of container.ports ?? []) {
        if (!listensOn(c, p.containerPort))
          problems.push(`${where}: ${c.component} does not listen on ${p.containerPort}`);
      }
      problems.push(
        ...probeProblem(c, container, where, 'startupProbe', container.startupProbe),
        ...probeProblem(c, container, where, 'readinessProbe', container.readinessProbe),
        ...probeProblem(c, container, where, 'livenessProbe', container.livenessProbe),
        ...requiredArgProblems(c, [...(container.command ?? []), ...(container.args ?? [])], where),
      );
      const scrape = template.metadata?.annotations ?? {};
      if (scrape['prometheus.io/scrape'] === 'true') {
        const port = Number(scrape['prometheus.io/port']);
        const path = scrape['prometheus.io/path'] ?? '/metrics';
        if (!c.http.some((e) => e.port === port && e.path === path && e.roles.includes('metrics'))) {
          problems.push(`${where}: Prometheus would scrape :${port}${path}, where ${c.component} serves no metrics`);
        }
      }
      const files: Record<string, string> = {};
      for (const m of container.volumeMounts ?? []) {
        const name = pod.volumes?.find((v) => v.name === m.name)?.secret?.secretName;
        if (name && m.subPath) {
          const v = secret(name, m.subPath);
          if (v !== undefined) files[m.mountPath] = v;
        }
      }
      const env: Record<string, string> = {};
      for (const e of container.env ?? []) {
        const ref = e.valueFrom?.secretKeyRef;
        env[e.name] = ref ? (secret(ref.name, ref.key) ?? SAMPLE_PROVIDED) : (e.value ?? '');
      }
      const run = programInputs([...(container.command ?? []), ...(container.args ?? [])], env, files);
      problems.push(
        ...wrapperProblems(c, run.wrapped, container.command ?? [], where),
        ...envProblems(c, Object.keys(run.env), where),
      );
      for (const p of startProblems(c, { env: run.env, args: run.args, files, hosts }))
        problems.push(`${where}: would not start: ${p}`);
      if (container.securityContext?.readOnlyRootFilesystem) {
        const mounted = new Set((container.volumeMounts ?? []).map((m) => m.mountPath));
        for (const dir of c.writes ?? []) {
          if (!mounted.has(dir)) problems.push(`${where}: ${c.component} writes ${dir}, which a read-only root hides`);
        }
      }
      if (c.user && pod.securityContext?.runAsUser !== undefined && pod.securityContext.runAsUser !== c.user.uid) {
        problems.push(`${where}: runs as ${pod.securityContext.runAsUser}, the image's files belong to ${c.user.uid}`);
      }
    }
  }
  return problems;
}

function swarmHealthProblems(c: ImageContract, svc: SwarmServiceSpec): string[] {
  const test = svc.TaskTemplate.ContainerSpec.Healthcheck.Test;
  const where = `Service ${svc.Name} Healthcheck`;
  const [mode, program, ...rest] = test;
  if (mode === 'CMD-SHELL' && !c.tools.includes('sh')) return [`${where}: ${c.component}'s image has no shell`];
  if (mode !== 'CMD' || program === undefined) return [];
  if (!c.tools.includes(program))
    return [`${where}: ${program} is not in the ${c.component} image (it has ${c.tools.join(', ')})`];
  const url = rest.find((a) => /^https?:\/\//.test(a));
  if (url) {
    const u = new URL(url);
    if (!answersHttp(c, Number(u.port || 80), u.pathname)) {
      return [`${where}: GET :${u.port}${u.pathname} answers 404 in ${c.component}`];
    }
  }
  return [];
}

/** Problems of the Swarm services against the contracts of their images; empty when faithful. */
export function checkSwarm(spec: SwarmStack, contracts: readonly ImageContract[]): string[] {
  const problems: string[] = [];
  const hosts = new Set(spec.services.flatMap((s) => s.TaskTemplate.Networks.flatMap((n) => n.Aliases ?? [])));
  const byName = new Map(spec.secrets.map((s) => [s.Name, s]));
  const generatedSample = (name: string) =>
    byName.get(name)?.Labels['homeport.dev/format'] === 'hex32' ? SAMPLE_HEX : SAMPLE_TOKEN;
  for (const svc of spec.services) {
    const cs = svc.TaskTemplate.ContainerSpec;
    const c = contractForImage(contracts, cs.Image);
    if (!c) continue;
    const where = `Service ${svc.Name}`;
    const envNames = cs.Env.map((e) => e.slice(0, e.indexOf('=')));
    problems.push(
      ...swarmHealthProblems(c, svc),
      ...requiredArgProblems(c, [...(cs.Command ?? []), ...(cs.Args ?? [])], where),
    );
    // The files of the task: plain and generated secrets as samples, templates filled from the task's other files.
    const plain = new Map<string, string>();
    for (const ref of cs.Secrets) {
      const s = byName.get(ref.SecretName);
      const value = s?.Data !== undefined && !s.Templating ? Buffer.from(s.Data, 'base64').toString() : undefined;
      plain.set(ref.File.Name, value ?? (s?.Templating ? '' : s ? generatedSample(s.Name) : SAMPLE_PROVIDED));
    }
    const files: Record<string, string> = {};
    for (const ref of cs.Secrets) {
      const s = byName.get(ref.SecretName);
      const path = ref.File.Name.startsWith('/') ? ref.File.Name : `${SECRETS_DIR}/${ref.File.Name}`;
      if (s?.Templating && s.Data) {
        const text = Buffer.from(s.Data, 'base64').toString();
        files[path] = text.replace(/\{\{ secret "([^"]+)" \}\}/g, (_m, target: string) => plain.get(target) ?? '');
      } else {
        files[path] = plain.get(ref.File.Name) ?? '';
      }
    }
    const env = Object.fromEntries(cs.Env.map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]));
    // A start wrapper (env-files.ts) reads NAME_FILE into NAME before the program sees its environment.
    const run = programInputs([...(cs.Command ?? []), ...(cs.Args ?? [])], env, files);
    problems.push(
      ...wrapperProblems(c, run.wrapped, cs.Command ?? [], where),
      ...envProblems(c, run.wrapped ? Object.keys(run.env) : envNames, where),
    );
    for (const p of startProblems(c, { env: run.env, args: run.args, files, hosts }))
      problems.push(`${where}: would not start: ${p}`);
  }
  return problems;
}
