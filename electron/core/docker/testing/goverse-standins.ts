/**
 * Goverse values that point its unpublished images at their contract stand-ins (standin-images.ts,
 * standin-goverse.ts), with the real etcd and PostgreSQL test images: what the real-engine tests deploy.
 */
import { ETCD_IMAGE } from './etcd-image';
import { POSTGRES_IMAGE } from './postgres-image';
import { STANDIN_IMAGES } from './standin-images';

const image = (component: string): string => {
  const found = STANDIN_IMAGES[component];
  if (!found?.startsWith('goverse-')) throw new Error(`no Goverse stand-in image for '${component}'`);
  return found;
};

export function goverseStandinValues(extra: Record<string, unknown> = {}) {
  return {
    node: { image: image('node'), replicas: 2 },
    gate: { image: image('gate'), replicas: 1 },
    inspector: { image: image('inspector') },
    migrate: { image: image('migrate') },
    etcd: { image: ETCD_IMAGE },
    postgres: { image: POSTGRES_IMAGE },
    ...extra,
  };
}
