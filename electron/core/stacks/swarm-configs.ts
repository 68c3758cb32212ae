/**
 * Configuration files of a stack model on Swarm: one Swarm config per file, named
 * `<stack>_<config>_<key>_<hash8 of its content>` (configs are immutable, so a new content is a new
 * config the services switch to; the deployer removes the old one once no service uses it), labelled
 * `homeport.dev/config=<config>/<key>`, and mounted read-only (0444, root) as the single file at the
 * path the component names; nothing else in its directory is hidden.
 */
import type { ConfigFile, ConfigSpec } from './model';
import { SWARM_CONFIG_LABEL, type SwarmConfigRef, type SwarmConfigSpec } from './swarm-spec';
import { hash8, swarmName } from './swarm-util';

export interface RenderedConfigs {
  configs: SwarmConfigSpec[];
  /** `<config>/<key>` -> Swarm config name. */
  names: Map<string, string>;
}

export function renderConfigs(
  stack: string,
  specs: ConfigSpec[],
  labels: (extra: Record<string, string>) => Record<string, string>,
): RenderedConfigs {
  const configs: SwarmConfigSpec[] = [];
  const names = new Map<string, string>();
  for (const c of specs) {
    for (const f of c.files) {
      const id = `${c.name}/${f.key}`;
      const name = swarmName(`${stack}_${c.name}_${f.key}_${hash8(f.content)}`);
      names.set(id, name);
      configs.push({
        Name: name,
        Labels: labels({ [SWARM_CONFIG_LABEL]: id }),
        Data: Buffer.from(f.content).toString('base64'),
      });
    }
  }
  return { configs, names };
}

/** The ContainerSpec.Configs of a component's or job's files (checkModel made sure they exist). */
export function configRefs(files: ConfigFile[] | undefined, names: Map<string, string>): SwarmConfigRef[] {
  return (files ?? []).map((f) => ({
    ConfigName: names.get(`${f.config}/${f.key}`) ?? `${f.config}_${f.key}`,
    File: { Name: f.path, UID: '0', GID: '0', Mode: 0o444 },
  }));
}
