/**
 * Revenge values that point every component at its contract-following stand-in image (and the
 * object store, which has no contract, at the permissive one): what the real-engine tests deploy.
 */
import { STANDIN_IMAGE } from './dockerd';
import { STANDIN_IMAGES } from './standin-images';

const image = (component: string): string => {
  const found = STANDIN_IMAGES[component];
  if (!found) throw new Error(`no stand-in image for the Revenge component '${component}'`);
  return found;
};

export function revengeStandinImages() {
  return {
    api: { image: image('revenge') },
    frontend: { image: image('frontend') },
    postgres: { image: image('postgres') },
    dragonfly: { image: image('dragonfly') },
    typesense: { image: image('typesense') },
    objectStore: { mode: 'bundled' as const, image: STANDIN_IMAGE },
  };
}

/** The same as a YAML values file body (one image per component). */
export function revengeStandinYaml(): string {
  return Object.entries(revengeStandinImages())
    .map(([c, v]) => `${c}:\n${'mode' in v ? `  mode: ${v.mode}\n` : ''}  image: ${v.image}\n`)
    .join('');
}
