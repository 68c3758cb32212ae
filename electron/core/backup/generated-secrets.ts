/**
 * The generated secret values of a deployed stack (database password, signing and encryption
 * keys), read for a backup. Kubernetes keeps them in the stack's Secrets, read through the API.
 * Docker Swarm never gives a secret's value back through its API: it is read where the engine puts
 * it, the file /run/secrets/<name> in a running task of a service that mounts it, with the shell's
 * own builtins (`read`, `printf`), the only tools every image of a stack is sure to have.
 */
import type { Readable } from 'node:stream';
import { describeTarget, type Target } from '@shared/target-schemas';
import type { DockerClient } from '../docker/client';
import { HomeportError } from '../errors';
import type { RunInWorkload } from '../exec/command';
import type { KubeGateway } from '../kube/kube-gateway';
import type { ProvidedSecrets } from '../stacks/model';
import { SECRETS_DIR } from '../stacks/swarm-spec';
import { SWARM_GENERATED_LABEL, SWARM_SECRET_LABEL, SWARM_STACK_LABEL } from '../stacks/swarm';
import { GENERATED_KEYS_ANNOTATION, STACK_LABEL } from '../stacks/types';
import { engineApi } from '../swarm/engine-api';

export interface GeneratedSecretsDeps {
  openGateway(context: string): Promise<KubeGateway>;
  openClient(endpoint: string): Promise<DockerClient>;
  runInWorkload: RunInWorkload;
}

interface SecretObject {
  metadata: { name: string; annotations?: Record<string, string> };
  data?: Record<string, string>;
}

/** Prints a one-line file's contents without a trailing newline, with sh builtins only. */
const PRINT_FILE = 'IFS= read -r v < "$1" || [ -n "$v" ] || exit 1; printf %s "$v"';
const MAX_SECRET = 64 * 1024;

async function collect(stream: Readable): Promise<string> {
  let text = '';
  for await (const chunk of stream) {
    text += String(chunk);
    if (text.length > MAX_SECRET) throw new Error('the secret file is larger than 64 KiB');
  }
  return text;
}

export function createGeneratedSecrets(deps: GeneratedSecretsDeps) {
  async function readFile(
    target: Target,
    service: string,
    file: string,
  ): Promise<{ ok: true; value: string } | { ok: false; why: string }> {
    const session = deps.runInWorkload(target, {
      workload: { service },
      command: ['sh', '-c', PRINT_FILE, 'sh', file],
    });
    const [value, stderr, result] = await Promise.all([
      collect(session.stdout),
      collect(session.stderr),
      session.result,
    ]);
    if (result.kind === 'exited' && result.code === 0) return { ok: true, value };
    return { ok: false, why: result.kind === 'failed' ? result.message : stderr.trim() || `exit ${result.code}` };
  }

  async function kubernetes(target: Extract<Target, { kind: 'kubernetes' }>, stack: string) {
    const gateway = await deps.openGateway(target.context);
    try {
      const selector = encodeURIComponent(`${STACK_LABEL}=${stack}`);
      const list = await gateway.getJson<{ items?: SecretObject[] }>(
        `/api/v1/namespaces/${encodeURIComponent(target.namespace)}/secrets?labelSelector=${selector}`,
      );
      const out: ProvidedSecrets = {};
      for (const s of list.items ?? []) {
        const keys = (s.metadata.annotations?.[GENERATED_KEYS_ANNOTATION] ?? '')
          .split(',')
          .map((k) => k.trim())
          .filter(Boolean);
        for (const key of keys) {
          const value = s.data?.[key];
          if (value === undefined) continue;
          (out[s.metadata.name] ??= {})[key] = Buffer.from(value, 'base64').toString('utf8');
        }
      }
      return out;
    } finally {
      gateway.close();
    }
  }

  async function swarm(target: Extract<Target, { kind: 'swarm' }>, stack: string) {
    const client = await deps.openClient(target.endpoint);
    const api = engineApi(client);
    let mounts: { id: string; places: { service: string; file: string }[] }[];
    try {
      const secrets = (await api.secrets(`${SWARM_STACK_LABEL}=${stack}`)).filter(
        (s) => s.Spec.Labels?.[SWARM_GENERATED_LABEL] === 'true',
      );
      const services = await api.services(`${SWARM_STACK_LABEL}=${stack}`);
      mounts = secrets.map((s) => ({
        id: s.Spec.Labels?.[SWARM_SECRET_LABEL] ?? s.Spec.Name,
        places: services.flatMap((svc) =>
          (svc.Spec.TaskTemplate.ContainerSpec.Secrets ?? [])
            .filter((r) => r.SecretID === s.ID)
            .map((r) => ({ service: svc.Spec.Name, file: `${SECRETS_DIR}/${r.File.Name}` })),
        ),
      }));
    } finally {
      client.close();
    }
    const out: ProvidedSecrets = {};
    for (const m of mounts) {
      // Any service mounting it will do; one whose image has no shell is passed over for the next.
      const tried: string[] = [];
      let value: string | undefined;
      for (const place of m.places) {
        const read = await readFile(target, place.service, place.file);
        if (read.ok) {
          value = read.value;
          break;
        }
        tried.push(`${place.service}: ${read.why}`);
      }
      if (value === undefined) {
        throw new HomeportError(
          'CONFLICT',
          m.places.length === 0
            ? `No service of ${stack} on ${describeTarget(target)} mounts the generated secret ${m.id}, so its value cannot be read`
            : `Could not read the generated secret ${m.id} (${tried.join('; ')})`,
        );
      }
      const at = m.id.indexOf('/');
      (out[m.id.slice(0, at)] ??= {})[m.id.slice(at + 1)] = value;
    }
    return out;
  }

  /** Secret name → key → value of every generated key of the stack. Never logged, never returned to the renderer. */
  return function generatedSecrets(target: Target, stack: string): Promise<ProvidedSecrets> {
    return target.kind === 'kubernetes' ? kubernetes(target, stack) : swarm(target, stack);
  };
}

export type GeneratedSecrets = ReturnType<typeof createGeneratedSecrets>;
