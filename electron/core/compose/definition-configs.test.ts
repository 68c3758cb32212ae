/**
 * A compose config (inline `content:`) rendered as a configuration file: a ConfigMap key mounted at
 * its target on Kubernetes, a Swarm config mounted there on Swarm. Needs the renderers' config
 * support (kubernetes-pods.ts, swarm.ts configuration files).
 */
import { describe, expect, it } from 'vitest';
import { createStackCatalog } from '../stacks/catalog';
import { validateKubeObjects } from '../stacks/testing/kube-schema';
import { userStackDefinition } from './definition';
import { composeDocument } from './testing/fixtures';

const CADDYFILE = ':80 {\n  respond /healthz 200\n  reverse_proxy wiki:3000\n}\n';

describe('the wiki proxy’s Caddyfile', () => {
  const catalog = createStackCatalog([userStackDefinition(composeDocument('wiki-proxy'))]);

  it('is a ConfigMap key mounted as /etc/caddy/Caddyfile on Kubernetes', () => {
    const { objects } = catalog.renderKubernetes('wiki-proxy', {}, { namespace: 'wiki' });
    validateKubeObjects(objects);
    const cm = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'wiki-proxy-config');
    expect(cm?.data).toEqual({ caddyfile: CADDYFILE });
    const proxy = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'proxy') as
      { spec: { template: { spec: { containers: { volumeMounts: unknown[] }[]; volumes: unknown[] } } } } | undefined;
    expect(proxy?.spec.template.spec.containers[0]?.volumeMounts).toContainEqual({
      name: 'config-wiki-proxy-config',
      mountPath: '/etc/caddy/Caddyfile',
      subPath: 'caddyfile',
      readOnly: true,
    });
    expect(proxy?.spec.template.spec.volumes).toContainEqual({
      name: 'config-wiki-proxy-config',
      configMap: { name: 'wiki-proxy-config' },
    });
  });

  it('is a Swarm config mounted as /etc/caddy/Caddyfile on Swarm', () => {
    const swarm = catalog.renderSwarm('wiki-proxy', {}, { stack: 'wiki' });
    expect(swarm.configs).toEqual([
      expect.objectContaining({
        Labels: expect.objectContaining({ 'homeport.dev/config': 'wiki-proxy-config/caddyfile' }),
        Data: Buffer.from(CADDYFILE).toString('base64'),
      }),
    ]);
    const proxy = swarm.services.find((s) => s.Name === 'wiki_proxy')?.TaskTemplate.ContainerSpec as
      { Configs?: { File: { Name: string } }[] } | undefined;
    expect(proxy?.Configs?.map((c) => c.File.Name)).toEqual(['/etc/caddy/Caddyfile']);
  });
});
