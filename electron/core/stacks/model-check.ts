/** Checks of a StackModel every renderer runs first (programming errors in a stack definition). */
import { templateRefs, type ConfigFile, type EgressRule, type StackModel } from './model';

/** Rejects models no renderer can express faithfully (programming errors in a stack definition). */
export function checkModel(model: StackModel): void {
  const names = new Set<string>();
  for (const c of model.components) {
    if (names.has(c.name)) throw new Error(`stack model: duplicate component '${c.name}'`);
    names.add(c.name);
    if (c.stateful && !c.data) throw new Error(`stack model: stateful component '${c.name}' has no data volume`);
    for (const m of c.mounts) {
      if (!model.volumes.some((v) => v.name === m.volume)) {
        throw new Error(`stack model: component '${c.name}' mounts unknown volume '${m.volume}'`);
      }
    }
  }
  for (const r of model.ingress?.routes ?? []) {
    if (!names.has(r.component)) throw new Error(`stack model: ingress points to unknown component '${r.component}'`);
  }
  const keys = new Set(model.secrets.flatMap((s) => s.keys.map((k) => `${s.name}/${k.key}`)));
  for (const s of model.secrets) {
    for (const k of s.keys) {
      for (const ref of templateRefs(k.template ?? '')) {
        if (`${ref.secret}/${ref.key}` === `${s.name}/${k.key}`) {
          throw new Error(`stack model: secret template ${s.name}/${k.key} refers to itself`);
        }
      }
    }
  }
  for (const c of [...model.components, ...(model.tasks ?? [])]) {
    for (const f of c.files ?? []) {
      if (!f.path.startsWith('/'))
        throw new Error(`stack model: file ${f.path} of '${c.name}' is not an absolute path`);
      if (!keys.has(`${f.secret}/${f.key}`)) {
        throw new Error(`stack model: '${c.name}' mounts ${f.secret}/${f.key}, which the model has no secret for`);
      }
    }
  }
  const configKeys = new Set((model.configs ?? []).flatMap((c) => c.files.map((f) => `${c.name}/${f.key}`)));
  const componentNames = new Set(model.components.map((c) => c.name));
  const checkRuns = (what: string, name: string, files: ConfigFile[] | undefined, egress: EgressRule[] | undefined) => {
    for (const f of files ?? []) {
      if (!f.path.startsWith('/'))
        throw new Error(`stack model: config file ${f.path} of ${what} '${name}' is not an absolute path`);
      if (!configKeys.has(`${f.config}/${f.key}`)) {
        throw new Error(
          `stack model: ${what} '${name}' mounts config ${f.config}/${f.key}, which the model does not define`,
        );
      }
    }
    for (const e of egress ?? []) {
      if ('component' in e && !componentNames.has(e.component)) {
        throw new Error(`stack model: ${what} '${name}' connects to unknown component '${e.component}'`);
      }
    }
  };
  for (const c of model.components) {
    checkRuns('component', c.name, c.configFiles, c.connectsTo);
    if (c.autoscale && c.autoscale.cpuPercent === undefined && c.autoscale.memoryPercent === undefined) {
      throw new Error(`stack model: autoscaled component '${c.name}' has neither a CPU nor a memory target`);
    }
    if (c.metrics && !c.ports.some((p) => p.port === c.metrics?.port)) {
      throw new Error(`stack model: metrics port ${c.metrics.port} of '${c.name}' is not one of its ports`);
    }
  }
  for (const t of model.tasks ?? []) {
    if (names.has(t.name)) throw new Error(`stack model: job '${t.name}' has the name of another component or job`);
    names.add(t.name);
    checkRuns('job', t.name, t.configFiles, t.connectsTo);
    for (const m of t.mounts) {
      if (!model.volumes.some((v) => v.name === m.volume)) {
        throw new Error(`stack model: job '${t.name}' mounts unknown volume '${m.volume}'`);
      }
    }
  }
  for (const p of model.published ?? []) {
    if (!names.has(p.component)) throw new Error(`stack model: published port of unknown component '${p.component}'`);
  }
  for (const j of model.jobs ?? []) {
    if (names.has(j.name))
      throw new Error(`stack model: scheduled job '${j.name}' has the name of another component or job`);
    names.add(j.name);
    if (j.schedule.trim().split(/\s+/).length !== 5) {
      throw new Error(`stack model: scheduled job '${j.name}' needs five cron fields, got '${j.schedule}'`);
    }
    for (const m of j.mounts) {
      if (!model.volumes.some((v) => v.name === m.volume)) {
        throw new Error(`stack model: scheduled job '${j.name}' mounts unknown volume '${m.volume}'`);
      }
    }
  }
}
