/** Readiness checks: Service discovery. */
import type { Evidence, ReadinessCheck } from '@shared/readiness-schemas';
import { NAME_LABEL } from '../../stacks/kubernetes';
import { result, ref, live, podReady, selects, podsOf } from './common';
import type { CheckInputs, Draft } from './common';

export function servicesForComponents(i: CheckInputs): ReadinessCheck {
  const d: Draft = {
    id: 'discovery.services',
    title: 'Every component has a Service with ready endpoints',
    category: 'discovery',
    weight: 5,
  };
  const evidence: Evidence[] = [];
  const problems: string[] = [];
  for (const w of i.snap.workloads) {
    const labels = w.spec.template.metadata?.labels;
    const svcs = i.snap.services.filter((s) => selects(s.spec?.selector, labels));
    const ready = podsOf(i.snap, w).filter(podReady).length;
    if (svcs.length === 0) {
      problems.push(`${ref(w)} has no Service`);
      evidence.push({ object: ref(w), value: 'no Service selects its pods' });
      continue;
    }
    evidence.push({
      object: svcs.map((s) => `Service/${s.metadata.name}`).join(', '),
      field: 'ready endpoints',
      value: `${ready} (${ref(w)})`,
    });
    if (ready === 0) problems.push(`${svcs.map((s) => `Service/${s.metadata.name}`).join(', ')} has no ready endpoint`);
  }
  if (problems.length > 0) {
    return result(
      d,
      'fail',
      problems.join('; '),
      evidence,
      'Every component needs a Service in front of Ready pods; re-apply the stack, and look at the pods that are not Ready.',
      { label: 'Re-apply the stack', values: {} },
    );
  }
  return result(
    d,
    'pass',
    `${i.snap.workloads.length} components, each behind a Service with ready endpoints`,
    evidence,
    '',
  );
}

export function serviceSelectors(i: CheckInputs): ReadinessCheck {
  const d: Draft = {
    id: 'discovery.selectors',
    title: 'Services select the right pods',
    category: 'discovery',
    weight: 3,
  };
  const evidence: Evidence[] = [];
  const problems: string[] = [];
  for (const s of i.snap.services) {
    const sel = s.spec?.selector;
    const component = s.metadata.labels?.[NAME_LABEL];
    const pods = i.snap.pods.filter((p) => live(p) && selects(sel, p.metadata.labels));
    const strangers = pods.filter((p) => component !== undefined && p.metadata.labels?.[NAME_LABEL] !== component);
    const value = `${JSON.stringify(sel ?? {})} -> ${pods.length} pods`;
    evidence.push({ object: `Service/${s.metadata.name}`, field: 'spec.selector', value });
    if (!sel || Object.keys(sel).length === 0) problems.push(`Service/${s.metadata.name} has no selector`);
    else if (pods.length === 0) problems.push(`Service/${s.metadata.name} selects no pods`);
    else if (strangers.length > 0)
      problems.push(`Service/${s.metadata.name} also selects ${strangers.map((p) => p.metadata.name).join(', ')}`);
  }
  if (problems.length > 0) {
    return result(
      d,
      'fail',
      problems.join('; '),
      evidence,
      "A Service must select its own component's pods only (app.kubernetes.io/name and homeport.dev/stack); re-apply the stack.",
      { label: 'Re-apply the stack', values: {} },
    );
  }
  return result(d, 'pass', `${i.snap.services.length} Services, each selecting its component's pods`, evidence, '');
}
