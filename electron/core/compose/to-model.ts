/**
 * A compose project and the user's values as a StackModel, the very model catalog stacks build:
 *
 * - services -> components: image, entrypoint (command) and command (args), env_file + environment,
 *   ports and expose -> ports (published ones -> model.published), deploy.replicas and resources;
 * - healthcheck -> exec probes (CMD as is, CMD-SHELL as `sh -c`): interval -> period, timeout,
 *   retries -> failure threshold, start_period -> a startup probe allowing that long plus the
 *   retries. Without one, a TCP check of the first port; with no port either, `sh -c 'kill -0 1'`
 *   (the main process is alive: the image needs a shell), because the model requires probes;
 * - secrets -> one key each of the stack's Secret `<stack>-secrets`, mounted where Compose mounts
 *   them (/run/secrets/<name>, or the long syntax's target): generated on the first deploy, or a
 *   template copying a key of an existing secret;
 * - configs -> one file each of the ConfigSet `<stack>-config`, mounted at their targets (Compose's
 *   default: /<name>);
 * - named volumes -> shared volumes: NFS (a NAS export or server and path) or a claim;
 * - networks -> acceptsFrom (read.ts); user: uid:gid and read_only + tmpfs -> security.
 */
import { escapeReferences } from '../stacks/expansion';
import type { ComposeMapping } from '@shared/user-stack-schemas';
import type { Component, HealthCheck, Probe, Probes, SecretSpec, SharedVolume, StackModel } from '../stacks/model';
import { modelName, type ComposeProject, type ComposeService } from './project';
import { volumeMappingOf, type UserStackValues } from './values';

export const secretName = (stack: string) => `${stack}-secrets`;
export const configName = (stack: string) => `${stack}-config`;
/** The port names of a component (Kubernetes port names: at most 15 characters, with a letter). */
export const portName = (port: number) => `port-${port}`;

export function probesOf(s: ComposeService): Probes {
  const h = s.health;
  if (h) {
    const check: HealthCheck = { type: 'exec', command: h.command };
    const probe: Probe = {
      check,
      periodSeconds: h.intervalSeconds,
      timeoutSeconds: h.timeoutSeconds,
      failureThreshold: h.retries,
    };
    const probes: Probes = { liveness: probe, readiness: probe };
    if (h.startPeriodSeconds > 0) {
      probes.startup = {
        ...probe,
        failureThreshold: Math.ceil(h.startPeriodSeconds / h.intervalSeconds) + h.retries,
      };
    }
    return probes;
  }
  const first = s.ports[0]?.target ?? s.expose[0];
  const check: HealthCheck =
    first !== undefined ? { type: 'tcp', port: first } : { type: 'exec', command: ['sh', '-c', 'kill -0 1'] };
  return { liveness: { check, periodSeconds: 30 }, readiness: { check, periodSeconds: 10 } };
}

/**
 * Programs the image has, as far as the file tells: the ones its health check runs (the command,
 * and for `sh -c` the first word of each command of the script); undefined without a health check.
 */
export function healthTools(s: ComposeService): string[] | undefined {
  const [program, flag, script] = s.health?.command ?? [];
  if (program === undefined) return undefined;
  const tools = [program];
  if (/^(?:.*\/)?(sh|bash|ash|dash)$/.test(program) && flag === '-c' && script !== undefined) {
    for (const segment of script.split(/\|\||&&|;|\|/)) {
      const words = segment
        .trim()
        .split(/\s+/)
        .filter((w) => w !== '' && !/^[A-Za-z_][A-Za-z0-9_]*=/.test(w));
      const first = words[0] === 'exec' ? words[1] : words[0];
      if (first && /^[A-Za-z0-9_./-]+$/.test(first) && !SHELL_WORDS.has(first))
        tools.push(first.split('/').pop() ?? first);
    }
  }
  return [...new Set(tools)];
}

/** Shell builtins and keywords: not programs of the image. */
const SHELL_WORDS = new Set([
  'exit',
  'true',
  'false',
  'test',
  '[',
  'echo',
  ':',
  'cd',
  'set',
  'printf',
  'if',
  'then',
  'fi',
]);

export function portsOf(s: ComposeService): number[] {
  return [...new Set([...s.ports.map((p) => p.target), ...s.expose])];
}

export interface ModelInput {
  /** The stack's name (the saved user stack's), naming its Secret and ConfigSet. */
  name: string;
  project: ComposeProject;
  mapping: ComposeMapping;
}

export function composeToModel(input: ModelInput, values: UserStackValues): StackModel {
  const { name, project: p, mapping } = input;
  const volumes: SharedVolume[] = [];
  const readOnlyVolume = new Map<string, boolean>();
  for (const [volume, v] of Object.entries(values.volumes)) {
    const m = volumeMappingOf(p, mapping, volume);
    if (m.kind === 'claim' && 'size' in v) {
      volumes.push({
        name: modelName(volume),
        type: 'claim',
        size: v.size,
        ...(v.storageClass !== undefined ? { storageClass: v.storageClass } : {}),
        readOnly: false,
      });
    } else if ('readOnly' in v) {
      if (v.server === undefined || v.path === undefined) {
        throw new Error(
          `volumes.${volume}.nas: the export '${v.nas?.export ?? ''}' on NAS host '${v.nas?.host ?? ''}' is not resolved; ` +
            'Homeport resolves it at deploy time (electron/core/references)',
        );
      }
      readOnlyVolume.set(volume, v.readOnly);
      volumes.push({
        name: modelName(volume),
        type: 'nfs',
        server: v.server,
        path: v.path,
        readOnly: v.readOnly,
        size: '1Ti',
      });
    }
  }

  const secrets: SecretSpec[] = [];
  if (p.secrets.length > 0) {
    secrets.push({
      name: secretName(name),
      keys: p.secrets.map((s) => {
        const m = mapping.secrets[s.name] ?? s.suggested;
        return m.kind === 'generated'
          ? { key: s.name, generated: true }
          : { key: s.name, generated: false, template: `{{${m.secret}/${m.key}}}` };
      }),
    });
  }
  const configs =
    p.configs.length > 0
      ? [{ name: configName(name), files: p.configs.map((c) => ({ key: c.name, content: c.content })) }]
      : [];

  const ingressTo = values.ingress.enabled ? values.ingress.service : undefined;
  const components = p.services.map((s): Component => {
    const v = values.services[s.name];
    const c: Component = {
      name: s.name,
      image: v?.image ?? s.image,
      ports: portsOf(s).map((port) => ({ name: portName(port), port })),
      // Compose passes values as written; the model expands $(NAME) as Kubernetes does, so `$` is escaped.
      env: Object.entries(s.environment).map(([envName, value]) => ({ name: envName, value: escapeReferences(value) })),
      secretEnv: [],
      identityEnv: [],
      mounts: s.mounts.map((m) => ({
        volume: modelName(m.volume),
        mountPath: m.target,
        readOnly: m.readOnly || readOnlyVolume.get(m.volume) === true,
      })),
      stateful: false,
      probes: probesOf(s),
      replicas: v?.replicas ?? Math.max(1, s.replicas),
      resources: { requests: { ...s.resources.reservations }, limits: { ...s.resources.limits } },
      stopGracePeriodSeconds: s.stopGracePeriodSeconds,
    };
    if (s.entrypoint) c.command = s.entrypoint.map(escapeReferences);
    if (s.command) c.args = s.command.map(escapeReferences);
    if (s.secrets.length > 0)
      c.files = s.secrets.map((r) => ({ secret: secretName(name), key: r.source, path: r.target }));
    if (s.configs.length > 0) {
      c.configFiles = s.configs.map((r) => ({ config: configName(name), key: r.source, path: r.target }));
    }
    const tools = healthTools(s);
    if (tools) c.tools = tools;
    if (s.acceptsFrom && ingressTo !== s.name) c.acceptsFrom = s.acceptsFrom;
    if (s.user || s.readOnlyRoot) {
      c.security = {
        ...(s.user ? { user: s.user } : {}),
        ...(s.readOnlyRoot ? { readOnlyRoot: { writable: s.readOnlyRoot } } : {}),
      };
    }
    return c;
  });

  const published = p.services.flatMap((s) =>
    s.ports.map((pp) => ({
      component: s.name,
      port: pp.target,
      publishedPort: values.services[s.name]?.ports[String(pp.target)] ?? pp.published ?? pp.target,
    })),
  );
  const model: StackModel = { components, volumes, secrets };
  if (configs.length > 0) model.configs = configs;
  if (published.length > 0) model.published = published;
  if (values.ingress.enabled && values.ingress.host !== undefined) {
    const target = components.find((c) => c.name === values.ingress.service);
    if (!target?.ports.some((pp) => pp.port === values.ingress.port)) {
      throw new Error(`ingress.port: '${values.ingress.service}' does not listen on ${values.ingress.port}`);
    }
    model.ingress = {
      host: values.ingress.host,
      routes: [{ path: '/', component: values.ingress.service, port: values.ingress.port }],
    };
  }
  return model;
}
