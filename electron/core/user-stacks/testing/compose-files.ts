/** Compose files the user stack tests import (test data). */
export const webCompose = (image = 'busybox:1.36') => `services:
  web:
    image: ${image}
    ports:
      - "8080:80"
    volumes:
      - media:/srv/media
volumes:
  media: {}
`;

export const webInput = (image?: string) => ({
  name: 'photos',
  title: 'Photos',
  description: 'A web server for my photos',
  compose: webCompose(image),
  mapping: { volumes: { media: { kind: 'nas' as const, host: 'box', export: 'media' } }, secrets: {} },
});
