import type { Handlers } from '@shared/contract';
import type { Services } from '../services';

type StorageChannel = Extract<keyof Handlers, `nas:${string}` | `s3:${string}`>;

/** NAS hosts and S3 profiles. */
export function createStorageHandlers({
  nasHosts: hosts,
  nasExports: exports,
  s3Profiles: profiles,
  s3,
}: Pick<Services, 'nasHosts' | 'nasExports' | 's3Profiles' | 's3'>): Pick<Handlers, StorageChannel> {
  const profileList = async () => ({ profiles: await profiles.list() });
  const hostList = async () => ({ hosts: await hosts.list() });
  return {
    'nas:list': hostList,
    'nas:add': async (input) => {
      await hosts.add(input);
      return hostList();
    },
    'nas:remove': async ({ name }) => {
      await hosts.remove(name);
      return hostList();
    },
    'nas:probe': ({ name }) => hosts.probe(name),
    'nas:acceptHostKey': async ({ name, fingerprint }) => {
      await hosts.acceptHostKey(name, fingerprint);
      return hosts.probe(name);
    },
    'nas:replaceHostKey': async ({ name, fingerprint }) => {
      await hosts.replaceHostKey(name, fingerprint);
      return hosts.probe(name);
    },
    'nas:listExports': async ({ host }) => ({ exports: await exports.list(host) }),
    'nas:createExport': async ({ host, ...spec }) => {
      const { changed, createdDirectory: _created, message, ...result } = await exports.create(host, spec);
      return { export: result, changed, ...(message ? { message } : {}) };
    },
    'nas:removeExport': async ({ host, name }) => {
      await exports.remove(host, name);
      return { exports: await exports.list(host) };
    },
    's3:list': profileList,
    's3:add': async (input) => {
      await profiles.add(input);
      return profileList();
    },
    's3:remove': async ({ name }) => {
      await profiles.remove(name);
      return profileList();
    },
    's3:test': ({ name }) => s3.test(name),
    's3:listBuckets': async ({ profile }) => ({ buckets: await s3.listBuckets(profile) }),
    's3:createBucket': async ({ profile, bucket, private: isPrivate }) => {
      const result = await s3.createBucket(profile, bucket, { private: isPrivate });
      return { created: result.status === 'created' };
    },
    's3:deleteBucket': async ({ profile, bucket }) => {
      await s3.deleteBucket(profile, bucket);
      return { deleted: true as const };
    },
    's3:makePrivate': async ({ profile, bucket }) => {
      await s3.makePrivate(profile, bucket);
      return { done: true as const };
    },
  };
}
