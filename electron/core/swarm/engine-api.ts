/**
 * The few Docker Engine API objects and calls the Swarm deployer uses, typed as far as it reads them.
 */
import type { DockerClient } from '../docker/client';
import type { SwarmServiceSpec } from '../stacks/swarm';

export interface Versioned {
  ID: string;
  Version: { Index: number };
  CreatedAt?: string;
  UpdatedAt?: string;
}
export interface LiveNetwork {
  Id: string;
  Name: string;
  Labels?: Record<string, string>;
}
export interface LiveSecret extends Versioned {
  Spec: { Name: string; Labels?: Record<string, string> };
}
export interface LiveConfig extends Versioned {
  Spec: { Name: string; Labels?: Record<string, string>; Data?: string };
}
export interface LiveVolume {
  Name: string;
  Driver: string;
  Labels?: Record<string, string> | null;
  Options?: Record<string, string> | null;
}
export type UpdateState =
  'updating' | 'paused' | 'completed' | 'rollback_started' | 'rollback_paused' | 'rollback_completed';
export interface LiveService extends Versioned {
  Spec: SwarmServiceSpec & Record<string, unknown>;
  PreviousSpec?: SwarmServiceSpec & Record<string, unknown>;
  UpdateStatus?: { State?: UpdateState; Message?: string };
}
export interface LiveTask {
  ID: string;
  ServiceID: string;
  Slot?: number;
  CreatedAt?: string;
  UpdatedAt?: string;
  DesiredState: string;
  Status: { State: string; Err?: string; Message?: string; Timestamp?: string };
  Spec: { ContainerSpec?: Record<string, unknown> };
}

const filters = (f: Record<string, string[]>) => ({ filters: JSON.stringify(f) });
/** The credential the engine passes to the nodes pulling the service's image (private registries). */
const registryAuth = (auth: string | undefined) => (auth ? { headers: { 'X-Registry-Auth': auth } } : {});
const enc = encodeURIComponent;

export function engineApi(client: DockerClient) {
  return {
    client,
    networks: (label: string) => client.request<LiveNetwork[]>('/networks', { query: filters({ label: [label] }) }),
    createNetwork: (body: unknown) => client.request<{ Id: string }>('/networks/create', { method: 'POST', body }),
    removeNetwork: (id: string) => client.request<void>(`/networks/${enc(id)}`, { method: 'DELETE' }),
    secrets: (label: string) => client.request<LiveSecret[]>('/secrets', { query: filters({ label: [label] }) }),
    secretsNamed: (name: string) => client.request<LiveSecret[]>('/secrets', { query: filters({ name: [name] }) }),
    createSecret: (body: unknown) => client.request<{ ID: string }>('/secrets/create', { method: 'POST', body }),
    removeSecret: (id: string) => client.request<void>(`/secrets/${enc(id)}`, { method: 'DELETE' }),
    configs: (label: string) => client.request<LiveConfig[]>('/configs', { query: filters({ label: [label] }) }),
    config: (id: string) => client.request<LiveConfig>(`/configs/${enc(id)}`),
    createConfig: (body: unknown) => client.request<{ ID: string }>('/configs/create', { method: 'POST', body }),
    removeConfig: (id: string) => client.request<void>(`/configs/${enc(id)}`, { method: 'DELETE' }),
    /** Only a config's labels can change (the engine refuses a change of its data). */
    updateConfig: (id: string, version: number, body: unknown) =>
      client.request<void>(`/configs/${enc(id)}/update`, { method: 'POST', query: { version: String(version) }, body }),
    volumes: async (label: string) =>
      (await client.request<{ Volumes: LiveVolume[] | null }>('/volumes', { query: filters({ label: [label] }) }))
        .Volumes ?? [],
    createVolume: (body: unknown) => client.request<LiveVolume>('/volumes/create', { method: 'POST', body }),
    removeVolume: (name: string) => client.request<void>(`/volumes/${enc(name)}`, { method: 'DELETE' }),
    services: (label: string) => client.request<LiveService[]>('/services', { query: filters({ label: [label] }) }),
    service: (id: string) => client.request<LiveService>(`/services/${enc(id)}`),
    createService: (body: unknown, auth?: string) =>
      client.request<{ ID: string }>('/services/create', { method: 'POST', body, ...registryAuth(auth) }),
    updateService: (id: string, version: number, body: unknown, rollback = false, auth?: string) =>
      client.request<{ Warnings?: string[] | null }>(`/services/${enc(id)}/update`, {
        method: 'POST',
        query: { version, ...(rollback ? { rollback: 'previous' } : {}) },
        body,
        ...registryAuth(auth),
      }),
    removeService: (id: string) => client.request<void>(`/services/${enc(id)}`, { method: 'DELETE' }),
    tasks: (services: string[]) =>
      services.length === 0
        ? Promise.resolve([] as LiveTask[])
        : client.request<LiveTask[]>('/tasks', { query: filters({ service: services }) }),
    containers: (label: string) =>
      client.request<{ Id: string; State?: string }[]>('/containers/json', {
        query: { all: true, ...filters({ label: [label] }) },
      }),
    removeContainer: (id: string) =>
      client.request<void>(`/containers/${enc(id)}`, { method: 'DELETE', query: { force: true } }),
  };
}

export type EngineApi = ReturnType<typeof engineApi>;
