import { describe, expect, it } from 'vitest';
import { postgresImage, revengeApi, revengeFrontend, typesenseImage } from './revenge-upstream';
import { answersHttp, contractForImage, effectiveSettings, envCanSet, settingOfEnv, startProblems } from './upstream';

const hosts = new Set(['postgres', 'revenge']);
const config = (body: string) => ({ '/app/config/config.yaml': body });
const goodConfig = [
  'database:',
  '  url: "postgres://revenge:pw-123@postgres:5432/revenge?sslmode=disable"',
  'auth:',
  `  jwt_secret: "${'j'.repeat(43)}"`,
  `  encryption_key: "${'ab'.repeat(32)}"`,
].join('\n');

describe('Revenge settings as its loader reads them', () => {
  it('maps environment variables the way koanf does: every _ becomes a dot, but for the compound list', () => {
    const rule = revengeApi.settings.env;
    expect(settingOfEnv(rule, 'REVENGE_DATABASE_URL')).toBe('database.url');
    expect(settingOfEnv(rule, 'REVENGE_JWT_SECRET')).toBe('jwt.secret');
    expect(settingOfEnv(rule, 'REVENGE_STORAGE_S3_ACCESS_KEY_ID')).toBe('storage.s3.access.key.id');
    expect(settingOfEnv(rule, 'REVENGE_SEARCH_API_KEY')).toBe('search.api_key');
    expect(settingOfEnv(rule, 'PATH')).toBeUndefined();
    expect(envCanSet(rule, 'auth.jwt_secret')).toBe(false);
    expect(envCanSet(rule, 'storage.s3.use_path_style')).toBe(false);
    expect(envCanSet(rule, 'cache.enabled')).toBe(true);
    expect(envCanSet(rule, 'search.api_key')).toBe(true);
  });

  it('layers defaults, the config file and the environment, environment last', () => {
    const s = effectiveSettings(revengeApi.settings, {
      env: { REVENGE_CACHE_ENABLED: 'true', REVENGE_LOGGING_LEVEL: 'debug' },
      args: [],
      files: config(`${goodConfig}\nlogging:\n  level: warn\n`),
      hosts,
    });
    expect(s.get('cache.enabled')).toBe('true');
    expect(s.get('search.enabled')).toBe('false');
    expect(s.get('logging.level')).toBe('debug');
    expect(s.get('auth.jwt_secret')).toHaveLength(43);
  });

  it('starts with a good config file; refuses what the program refuses', () => {
    const inputs = { env: {}, args: [], files: config(goodConfig), hosts };
    expect(startProblems(revengeApi, inputs)).toEqual([]);
    expect(startProblems(revengeApi, { ...inputs, files: config(goodConfig.replace(':pw-123@', '@')) })).toContain(
      'database.url has no password',
    );
    expect(startProblems(revengeApi, { ...inputs, files: config(goodConfig.replace('@postgres:', '@db:')) })).toContain(
      'database.url must name postgres:5432, not db:5432',
    );
    expect(
      startProblems(revengeApi, { ...inputs, files: config(goodConfig.replace('j'.repeat(43), 'short')) }),
    ).toContain('auth.jwt_secret must be at least 32 characters');
    expect(
      startProblems(revengeApi, { ...inputs, env: { REVENGE_STORAGE_BACKEND: 's3', REVENGE_STORAGE_S3_BUCKET: 'b' } }),
    ).toEqual(['storage.s3.access_key_id is required', 'storage.s3.secret_access_key is required']);
    // The keys set through variables Revenge does not read change nothing.
    expect(
      startProblems(revengeApi, {
        ...inputs,
        env: {
          REVENGE_STORAGE_BACKEND: 's3',
          REVENGE_STORAGE_S3_BUCKET: 'b',
          REVENGE_STORAGE_S3_ACCESS_KEY_ID: 'k',
          REVENGE_STORAGE_S3_SECRET_ACCESS_KEY: 's',
        },
      }),
    ).toContain('storage.s3.access_key_id is required');
    expect(startProblems(revengeApi, { ...inputs, hosts: new Set(['revenge']) })).toContain(
      "cannot resolve host 'postgres' (the entrypoint waits for pg_isready -h postgres -U revenge)",
    );
  });

  it('answers only the paths and ports the program serves', () => {
    expect(answersHttp(revengeApi, 8096, '/healthz')).toBe(true);
    expect(answersHttp(revengeApi, 8096, '/health/live')).toBe(false);
    expect(answersHttp(revengeApi, 9096, '/health/live')).toBe(true);
    expect(answersHttp(revengeApi, 8096, '/metrics')).toBe(false);
    expect(answersHttp(revengeFrontend, 3000, '/health')).toBe(true);
  });
});

describe('other images', () => {
  it('PostgreSQL needs a password, from the variable or its _FILE', () => {
    const base = { args: [], hosts };
    expect(startProblems(postgresImage, { ...base, env: {}, files: {} })).toEqual(['POSTGRES_PASSWORD is required']);
    expect(
      startProblems(postgresImage, {
        ...base,
        env: { POSTGRES_PASSWORD_FILE: '/run/secrets/pw' },
        files: { '/run/secrets/pw': 'x\n' },
      }),
    ).toEqual([]);
    expect(startProblems(postgresImage, { ...base, env: { POSTGRES_HOST_AUTH_METHOD: 'trust' }, files: {} })).toEqual(
      [],
    );
  });

  it('Typesense reads no _FILE variable, but its key from --config or --api-key', () => {
    const base = { hosts, env: { TYPESENSE_DATA_DIR: '/data' } };
    expect(
      startProblems(typesenseImage, {
        ...base,
        args: [],
        files: {},
        env: { ...base.env, TYPESENSE_API_KEY_FILE: '/k' },
      }),
    ).toEqual(['api-key is required']);
    const ini = { '/etc/typesense/typesense-server.ini': '[server]\napi-key = abc\ndata-dir = /data\n' };
    expect(
      startProblems(typesenseImage, { ...base, args: ['--config=/etc/typesense/typesense-server.ini'], files: ini }),
    ).toEqual([]);
    // The file is read only when the program is told to read it.
    expect(startProblems(typesenseImage, { ...base, args: [], files: ini })).toEqual(['api-key is required']);
  });

  it('finds a contract by repository, whatever the tag or digest', () => {
    const all = [revengeApi, postgresImage];
    expect(contractForImage(all, 'ghcr.io/lusoris/revenge:1.4.0')?.component).toBe('revenge');
    expect(contractForImage(all, 'postgres:18-alpine')?.component).toBe('postgres');
    expect(contractForImage(all, 'ghcr.io/lusoris/revenge-frontend:latest')).toBeUndefined();
  });
});
