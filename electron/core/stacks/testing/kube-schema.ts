/**
 * Validation of rendered Kubernetes objects against the Kubernetes API schemas (kubernetes-models,
 * generated from the API's OpenAPI documents), for tests of every renderer and stack.
 *
 * validateKubeObjects throws, naming the object and the field, for a kind it has no schema for, a
 * field of the wrong type, a missing required field, and (unlike the models' own validate(), which
 * allows them) a field the API does not define.
 */
import type { KubeObject } from '../types';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { CronJob } from 'kubernetes-models/batch/v1/CronJob';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { PersistentVolume } from 'kubernetes-models/v1/PersistentVolume';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { Role } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role';
import { RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { StatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';

type Validator = new (data: never) => { validate(): void };

const validators: Record<string, Validator> = {
  'apps/v1/Deployment': Deployment,
  'apps/v1/StatefulSet': StatefulSet,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'batch/v1/CronJob': CronJob,
  'batch/v1/Job': Job,
  'networking.k8s.io/v1/Ingress': Ingress,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'rbac.authorization.k8s.io/v1/Role': Role,
  'rbac.authorization.k8s.io/v1/RoleBinding': RoleBinding,
  'v1/ConfigMap': ConfigMap,
  'v1/PersistentVolume': PersistentVolume,
  'v1/PersistentVolumeClaim': PersistentVolumeClaim,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'v1/ServiceAccount': ServiceAccount,
};

/** Throws for the first object that does not validate (see the module comment). */
export function validateKubeObjects(objects: readonly KubeObject[]): void {
  for (const o of objects) {
    const V = validators[`${o.apiVersion}/${o.kind}`];
    if (!V) throw new Error(`no schema for ${o.apiVersion} ${o.kind} (${o.metadata.name})`);
    try {
      new V(o as never).validate();
    } catch (e) {
      throw new Error(`${o.kind} ${o.metadata.name}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
  }
}
