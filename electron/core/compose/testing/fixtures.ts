/**
 * The compose files written for the tests (testing/*.yml) as saved user stacks, ready for a catalog:
 * `createStackCatalog([...builtinStacks, userStackDefinition(composeDocument('wiki-proxy'))])`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { userStackDocumentSchema, type ComposeMapping, type UserStackDocument } from '@shared/user-stack-schemas';

export type ComposeFixture = 'media-server' | 'photo-library' | 'wiki-proxy' | 'unsupported';

export const composeText = (fixture: ComposeFixture | string) =>
  readFileSync(join(import.meta.dirname, `${fixture}.yml`), 'utf8');

/** The .env file the photo library reads (interpolation and its services' env_file). */
export const PHOTO_LIBRARY_ENV = [
  '# Settings of the photo library',
  'PHOTOS_VERSION=v1.132.3',
  'DB_USERNAME=photos',
  'DB_DATABASE_NAME=photos',
  'DB_PASSWORD=change-me',
  'UPLOAD_LOCATION=/usr/src/app/upload',
  'TZ="Europe/Berlin" # the server’s time zone',
  '',
].join('\n');

const FILES: Partial<Record<string, Record<string, string>>> = {
  'photo-library': { '.env': PHOTO_LIBRARY_ENV },
};

export function composeDocument(
  fixture: ComposeFixture | string,
  opts: { name?: string; mapping?: Partial<ComposeMapping>; files?: Record<string, string>; compose?: string } = {},
): UserStackDocument {
  return userStackDocumentSchema.parse({
    name: opts.name ?? fixture,
    title: `Imported ${fixture}`,
    version: 1,
    savedAt: '2026-12-01T00:00:00.000Z',
    compose: opts.compose ?? composeText(fixture),
    files: { ...FILES[fixture], ...opts.files },
    mapping: { volumes: {}, secrets: {}, ...opts.mapping },
  });
}
