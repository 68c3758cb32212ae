/**
 * Test helper: a stand-in Docker engine on a unix socket for what the test dockerd (Debian's 20.10,
 * Engine API 1.41) cannot show: an engine as current as Docker Engine 29. It answers `/_ping` with
 * its API-Version, refuses versioned paths outside [min, max] with the status and message Engine
 * 29's version middleware uses, and keeps the Swarm objects the deployer touches (networks,
 * secrets, configs, volumes, services) in memory, answering as the engine does. Every request is
 * recorded with its headers, so tests can see what Homeport sent (X-Registry-Auth).
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import * as http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RecordedRequest {
  method: string;
  /** The path without the version prefix and query: '/services/create'. */
  path: string;
  /** The API version of the path ('1.51'), or undefined for an unversioned path. */
  version?: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  body?: unknown;
}

export interface FakeEngine {
  socketPath: string;
  host: string;
  requests: RecordedRequest[];
  /** Changes the versions it speaks, as an upgraded engine would. */
  setVersions(apiVersion: string, minApiVersion: string): void;
  close(): Promise<void>;
}

interface Stored {
  ID: string;
  Version: { Index: number };
  CreatedAt: string;
  UpdatedAt: string;
  Spec: Record<string, unknown> & { Name: string; Labels?: Record<string, string> };
  PreviousSpec?: Record<string, unknown>;
}

const cmp = (a: string, b: string) => {
  const [a1 = 0, a2 = 0] = a.split('.').map(Number);
  const [b1 = 0, b2 = 0] = b.split('.').map(Number);
  return a1 - b1 || a2 - b2;
};

function labelsMatch(labels: Record<string, string> | undefined, wanted: string[] | undefined): boolean {
  return (wanted ?? []).every((w) => {
    const [key, ...rest] = w.split('=');
    const value = rest.join('=');
    return labels?.[key!] !== undefined && (rest.length === 0 || labels[key!] === value);
  });
}

export async function startFakeEngine(opts: { apiVersion: string; minApiVersion: string }): Promise<FakeEngine> {
  let { apiVersion, minApiVersion } = opts;
  const dir = await mkdtemp(join(tmpdir(), 'homeport-fake-engine-'));
  const socketPath = join(dir, 'docker.sock');
  const requests: RecordedRequest[] = [];
  const id = () => randomBytes(12).toString('hex');
  const now = () => new Date().toISOString();
  const networks = new Map<string, { Id: string; Name: string; Labels: Record<string, string>; Driver: string }>();
  const secrets = new Map<string, Stored>();
  const configs = new Map<string, Stored>();
  const services = new Map<string, Stored>();
  const volumes = new Map<string, { Name: string; Driver: string; Labels: Record<string, string>; Options: unknown }>();

  type Reply = [number, unknown];
  const notFound = (what: string): Reply => [404, { message: `${what} not found` }];

  function filtersOf(query: URLSearchParams): Record<string, string[]> {
    const raw = query.get('filters');
    return raw ? (JSON.parse(raw) as Record<string, string[]>) : {};
  }

  function swarmObjects(
    kind: string,
    store: Map<string, Stored>,
    method: string,
    rest: string[],
    r: RecordedRequest,
  ): Reply {
    const body = r.body as Stored['Spec'] | undefined;
    if (rest.length === 0 && method === 'GET') {
      const f = filtersOf(r.query);
      return [
        200,
        [...store.values()].filter(
          (o) => labelsMatch(o.Spec.Labels, f.label) && (!f.name || f.name.some((n) => o.Spec.Name.startsWith(n))),
        ),
      ];
    }
    if (rest[0] === 'create' && method === 'POST' && body) {
      if ([...store.values()].some((o) => o.Spec.Name === body.Name)) {
        return [409, { message: `rpc error: code = AlreadyExists desc = ${kind} ${body.Name} already exists` }];
      }
      const o: Stored = { ID: id(), Version: { Index: 1 }, CreatedAt: now(), UpdatedAt: now(), Spec: body };
      store.set(o.ID, o);
      return [201, { ID: o.ID }];
    }
    const found = [...store.values()].find((o) => o.ID === rest[0] || o.Spec.Name === rest[0]);
    if (!found) return notFound(`${kind} ${rest[0]}`);
    if (rest.length === 1 && method === 'GET') return [200, found];
    if (rest.length === 1 && method === 'DELETE') {
      store.delete(found.ID);
      return [200, ''];
    }
    if (kind === 'service' && rest[1] === 'update' && method === 'POST') {
      if (Number(r.query.get('version')) !== found.Version.Index) {
        return [500, { message: 'rpc error: code = Unknown desc = update out of sequence' }];
      }
      const previous = found.Spec;
      found.Spec = r.query.get('rollback') === 'previous' ? (found.PreviousSpec as Stored['Spec']) : body!;
      found.PreviousSpec = previous;
      found.Version = { Index: found.Version.Index + 1 };
      found.UpdatedAt = now();
      return [200, { Warnings: null }];
    }
    return notFound('page');
  }

  function route(r: RecordedRequest): Reply {
    const [, top = '', ...rest] = r.path.split('/');
    const body = r.body as Record<string, unknown> | undefined;
    switch (top) {
      case 'version':
        return [200, { Version: '29.0.0', ApiVersion: apiVersion, MinAPIVersion: minApiVersion, Os: 'linux' }];
      case 'info':
        return [
          200,
          {
            OperatingSystem: 'Homeport fake engine',
            Swarm: { LocalNodeState: 'active', ControlAvailable: true, NodeID: 'fake-node', Nodes: 1, Managers: 1 },
          },
        ];
      case 'secrets':
        return swarmObjects('secret', secrets, r.method, rest, r);
      case 'configs':
        return swarmObjects('config', configs, r.method, rest, r);
      case 'services':
        return swarmObjects('service', services, r.method, rest, r);
      case 'tasks':
      case 'nodes':
        return [200, []];
      case 'containers':
        return rest[0] === 'json' ? [200, []] : notFound('page');
      case 'networks': {
        if (rest.length === 0 && r.method === 'GET') {
          const f = filtersOf(r.query);
          return [200, [...networks.values()].filter((n) => labelsMatch(n.Labels, f.label))];
        }
        if (rest[0] === 'create' && r.method === 'POST' && body) {
          const name = String(body.Name);
          if ([...networks.values()].some((n) => n.Name === name)) {
            return [409, { message: `network with name ${name} already exists` }];
          }
          const n = { Id: id(), Name: name, Labels: (body.Labels ?? {}) as Record<string, string>, Driver: 'overlay' };
          networks.set(n.Id, n);
          return [201, { Id: n.Id, Warning: '' }];
        }
        const n = [...networks.values()].find((x) => x.Id === rest[0] || x.Name === rest[0]);
        if (!n) return notFound(`network ${rest[0]}`);
        if (r.method === 'DELETE') networks.delete(n.Id);
        return [r.method === 'DELETE' ? 204 : 200, r.method === 'DELETE' ? '' : n];
      }
      case 'volumes': {
        if (rest.length === 0 && r.method === 'GET') {
          const f = filtersOf(r.query);
          return [200, { Volumes: [...volumes.values()].filter((v) => labelsMatch(v.Labels, f.label)), Warnings: [] }];
        }
        if (rest[0] === 'create' && r.method === 'POST' && body) {
          const v = {
            Name: String(body.Name),
            Driver: String(body.Driver ?? 'local'),
            Labels: (body.Labels ?? {}) as Record<string, string>,
            Options: body.DriverOpts ?? null,
          };
          volumes.set(v.Name, v);
          return [201, v];
        }
        if (!volumes.has(rest[0] ?? '')) return notFound(`volume ${rest[0]}`);
        if (r.method === 'DELETE') volumes.delete(rest[0]!);
        return [204, ''];
      }
      default:
        return [404, { message: 'page not found' }];
    }
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://docker');
      const versioned = /^\/v(\d+\.\d+)(\/.*)$/.exec(url.pathname);
      const text = Buffer.concat(chunks).toString('utf8');
      const r: RecordedRequest = {
        method: req.method ?? 'GET',
        path: versioned ? versioned[2]! : url.pathname,
        ...(versioned ? { version: versioned[1]! } : {}),
        query: url.searchParams,
        headers: req.headers,
        ...(text ? { body: JSON.parse(text) as unknown } : {}),
      };
      requests.push(r);
      const send = ([status, payload]: Reply) => {
        res.writeHead(status, {
          'Content-Type': typeof payload === 'string' ? 'text/plain; charset=utf-8' : 'application/json',
          'Api-Version': apiVersion,
          Server: 'Docker/29.0.0 (linux)',
        });
        res.end(typeof payload === 'string' ? payload : `${JSON.stringify(payload)}\n`);
      };
      if (r.path === '/_ping' && !versioned) return send([200, 'OK']);
      if (r.version !== undefined && cmp(r.version, minApiVersion) < 0) {
        return send([
          400,
          {
            message: `client version ${r.version} is too old. Minimum supported API version is ${minApiVersion}, please upgrade your client to a newer version`,
          },
        ]);
      }
      if (r.version !== undefined && cmp(r.version, apiVersion) > 0) {
        return send([
          400,
          { message: `client version ${r.version} is too new. Maximum supported API version is ${apiVersion}` },
        ]);
      }
      send(route(r));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, resolve);
  });
  return {
    socketPath,
    host: `unix://${socketPath}`,
    requests,
    setVersions(api, min) {
      apiVersion = api;
      minApiVersion = min;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
