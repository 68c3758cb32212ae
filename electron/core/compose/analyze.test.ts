import { describe, expect, it } from 'vitest';
import { analyzeCompose } from './analyze';
import { composeText, PHOTO_LIBRARY_ENV } from './testing/fixtures';

const paths = (findings: { path: string; line?: number }[]) => findings.map((f) => `${f.path}@${f.line ?? '?'}`);

describe('analyzeCompose: what Homeport understood', () => {
  it('reads the media server: services, NFS volume from driver_opts, claims, generated secret', () => {
    const a = analyzeCompose(composeText('media-server'));
    expect(a.ok).toBe(true);
    expect(a.errors).toEqual([]);
    expect(a.unsupported).toEqual([]);
    expect(a.services).toEqual([
      {
        name: 'server',
        image: 'ghcr.io/example/mediaserver:2.4.1',
        ports: [{ target: 8096, published: 8096 }],
        volumes: [
          { source: 'config', target: '/config', readOnly: false },
          { source: 'media', target: '/media', readOnly: true },
        ],
        secrets: ['db_password'],
        configs: [],
        healthcheck: true,
        replicas: 1,
        dependsOn: ['db'],
      },
      {
        name: 'db',
        image: 'postgres:17-alpine',
        // Not in the file: taken from the server's DATABASE_URL (a note says so).
        ports: [{ target: 5432 }],
        volumes: [{ source: 'db_data', target: '/var/lib/postgresql/data', readOnly: false }],
        secrets: ['db_password'],
        configs: [],
        healthcheck: true,
        replicas: 1,
        dependsOn: [],
      },
    ]);
    expect(a.volumes).toEqual([
      { name: 'config', suggested: { kind: 'claim', size: '10Gi' } },
      { name: 'db_data', suggested: { kind: 'claim', size: '10Gi' } },
      { name: 'media', suggested: { kind: 'nfs', server: 'nas.lan', path: '/export/media', readOnly: true } },
    ]);
    expect(a.secrets).toEqual([{ name: 'db_password', suggested: { kind: 'generated' } }]);
    expect(a.notes).toContainEqual({
      path: 'services.server.environment.DATABASE_URL',
      line: 9,
      message: "'db' declares no ports; port 5432 is taken from server's DATABASE_URL",
    });
    expect(a.notes).toContainEqual({
      path: 'volumes.media.driver_opts.o',
      line: 63,
      message: 'the mount options nfsvers=4.1 are not carried; the platform mounts NFS with its defaults',
    });
  });

  it('interpolates the photo library from .env, and reads env_file, replicas and an environment-sourced secret', () => {
    const a = analyzeCompose(composeText('photo-library'), { envFiles: { '.env': PHOTO_LIBRARY_ENV } });
    expect(a.ok).toBe(true);
    expect(a.services.map((s) => [s.name, s.image, s.replicas])).toEqual([
      ['server', 'ghcr.io/example/photos-server:v1.132.3', 2],
      ['worker', 'ghcr.io/example/photos-server:v1.132.3', 1],
      ['redis', 'docker.io/valkey/valkey:8-alpine', 1],
      ['database', 'docker.io/library/postgres:16', 1],
    ]);
    expect(a.volumes[0]).toEqual({
      name: 'uploads',
      suggested: { kind: 'nfs', server: '192.168.1.20', path: '/volume1/photos', readOnly: false },
    });
    expect(paths(a.notes ?? [])).toContain('services.server.deploy.update_config@26');
    expect(a.secrets).toEqual([{ name: 'db_password', suggested: { kind: 'generated' } }]);
  });

  it('without .env, the photo library names each unset variable and the missing env_file', () => {
    const a = analyzeCompose(composeText('photo-library'));
    expect(a.ok).toBe(false);
    expect(a.errors).toEqual([
      {
        path: 'services.server.env_file.0',
        line: 7,
        message: "env_file '.env' was not given to the import: add its contents",
      },
      {
        path: 'services.worker.env_file.0',
        line: 34,
        message: "env_file '.env' was not given to the import: add its contents",
      },
    ]);
    expect(paths(a.notes ?? [])).toContain('services.database.environment.POSTGRES_USER@59');
    // The import screen asks for each file by path, once.
    expect(a.missingFiles).toEqual(['.env']);
    expect(
      analyzeCompose(composeText('photo-library'), { envFiles: { '.env': PHOTO_LIBRARY_ENV } }).missingFiles,
    ).toEqual([]);
  });

  it('lists the config and env files a compose file requires and was not given, not the optional ones', () => {
    const compose = [
      'services:',
      '  app:',
      '    image: example/app:1',
      '    env_file:',
      '      - ./app.env',
      '      - path: ./extra.env',
      '        required: false',
      '    configs: [settings]',
      'configs:',
      '  settings:',
      '    file: ./conf/settings.ini',
      '',
    ].join('\n');
    const without = analyzeCompose(compose);
    expect(without.ok).toBe(false);
    expect(without.missingFiles).toEqual(['app.env', 'conf/settings.ini']);
    const given = analyzeCompose(compose, { files: { 'app.env': 'A=1\n', 'conf/settings.ini': '[x]\n' } });
    expect(given.errors).toEqual([]);
    expect(given.missingFiles).toEqual([]);
  });

  it('names every key it cannot express with its path and line, and drops none silently', () => {
    const a = analyzeCompose(composeText('unsupported'));
    expect(a.errors).toEqual([]);
    expect(paths(a.unsupported)).toEqual([
      'services.web.build@4',
      'services.web.privileged@6',
      'services.web.labels@7',
      'services.web.logging@15',
      'services.web.ports.1@11',
      'services.web.volumes.0@13',
      'services.app.cap_add@19',
      'services.app.devices@21',
      'services.app.deploy.placement@24',
      'services.x.network_mode@28',
      'volumes.cache.external@32',
    ]);
    expect(a.unsupported[5]?.message).toMatch(/bind mount of the host path '\.\/html'/);
    expect(a.unsupported[4]?.message).toBe("'5353:53/udp': only TCP ports are supported");
  });

  it('reports networks that keep services apart as who may connect, and a published service as open', () => {
    const a = analyzeCompose(composeText('wiki-proxy'));
    expect(a.ok).toBe(true);
    expect(a.configs).toEqual(['caddyfile']);
    expect(a.notes).toContainEqual({
      path: 'services.proxy.networks',
      line: 10,
      message: "'proxy' publishes ports, so every service may reach it, not only those on its networks",
    });
  });
});

describe('analyzeCompose: a broken file gets the line and the reason', () => {
  it('a YAML syntax error', () => {
    const a = analyzeCompose('services:\n  web:\n    image: nginx\n   ports: ["80:80"]\n');
    expect(a.ok).toBe(false);
    expect(a.errors).toHaveLength(1);
    expect(a.errors[0]?.line).toBe(4);
    expect(a.errors[0]?.message).toMatch(/^YAML: /);
  });

  it('a duplicate key', () => {
    const a = analyzeCompose('services:\n  web:\n    image: nginx\n    image: caddy\n');
    expect(a.errors).toEqual([{ path: '', line: 4, message: expect.stringMatching(/YAML: .*unique/i) }]);
  });

  it('schema violations: an unknown key, a wrong type, a form that fits no alternative', () => {
    const a = analyzeCompose(
      [
        'services:',
        '  web:',
        '    image: nginx',
        '    imagee: typo',
        '    restart: [always]',
        '    healthcheck: {}',
        '    ports:',
        '      - target: 80',
        '        publishd: 8080',
        'volumes:',
        '  data: 12',
        '',
      ].join('\n'),
    );
    expect(a.ok).toBe(false);
    expect(a.errors).toEqual([
      {
        path: 'services.web.imagee',
        line: 4,
        message: "'imagee' is not a key the Compose Specification defines here",
      },
      { path: 'services.web.restart', line: 5, message: 'must be string' },
      {
        path: 'services.web.ports.0.publishd',
        line: 9,
        message: "'publishd' is not a key the Compose Specification defines here",
      },
      { path: 'volumes.data', line: 11, message: 'must be object or null' },
    ]);
  });

  it('semantic errors: unknown dependency, undeclared volume, secret, config and network, no image', () => {
    const a = analyzeCompose(
      [
        'services:',
        '  web:',
        '    image: nginx',
        '    depends_on: [db]',
        '    volumes: [data:/data]',
        '    secrets: [token]',
        '    configs: [site]',
        '    networks: [front]',
        '  builder:',
        '    build: .',
        '',
      ].join('\n'),
    );
    expect(a.ok).toBe(false);
    expect(a.errors).toEqual([
      {
        path: 'services.builder.build',
        line: 10,
        message: "service 'builder' has no image; Homeport deploys images only",
      },
      { path: 'services.web.depends_on.db', line: 4, message: "depends on 'db', which is not a service of the file" },
      {
        path: 'services.web.volumes',
        line: 5,
        message: "mounts the volume 'data', which is not declared under volumes",
      },
      {
        path: 'services.web.secrets',
        line: 6,
        message: "uses the secret 'token', which is not declared under secrets",
      },
      { path: 'services.web.configs', line: 7, message: "uses the config 'site', which is not declared under configs" },
      {
        path: 'services.web.networks',
        line: 8,
        message: "joins the network 'front', which is not declared under networks",
      },
    ]);
  });

  it('interpolation: a required variable, defaults, $$ and nested defaults', () => {
    const text = [
      'services:',
      '  web:',
      '    image: "nginx:${TAG:-1.27}"',
      '    command: ["sh", "-c", "echo $$HOME ${GREETING:-${FALLBACK:-hi}}"]',
      '    environment:',
      '      TOKEN: ${TOKEN:?set TOKEN in .env}',
      '',
    ].join('\n');
    const broken = analyzeCompose(text);
    expect(broken.errors).toEqual([
      {
        path: 'services.web.environment.TOKEN',
        line: 6,
        message: 'required variable TOKEN is missing: set TOKEN in .env',
      },
    ]);
    const fine = analyzeCompose(text, { files: { './.env': 'TOKEN=abc\nFALLBACK=hello\n' } });
    expect(fine.ok).toBe(true);
    expect(fine.services[0]?.image).toBe('nginx:1.27');
  });
});
