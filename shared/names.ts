/**
 * One rule per kind of name. Every entry point (the contract, core services, the CLI, the forms)
 * checks a name with the schema defined here, so a name one of them accepts, every other accepts.
 */
import { z } from 'zod';

/** RFC 1123 label: lower-case letters, digits and -, starting and ending alphanumeric. */
export const DNS_LABEL = /^[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?$/;

/** A kubeconfig context name: whatever the kubeconfig says, within sane bounds. */
export const contextName = z.string().min(1, 'context name is required').max(253);

/** A Kubernetes object name (RFC 1123 subdomain). */
export const k8sName = z
  .string()
  .min(1, 'name is required')
  .max(253)
  .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'must be a Kubernetes name: lower-case letters, digits, - and .');

/** A Kubernetes namespace (RFC 1123 label). */
export const namespaceName = z
  .string()
  .min(1, 'namespace is required')
  .max(63, 'namespace: at most 63 characters')
  .regex(DNS_LABEL, 'namespace: lower-case letters, digits and -, starting and ending alphanumeric');

/** A stack name as deployed (the catalog's name, or the name of a copy of it). */
export const stackName = z
  .string()
  .min(1, 'stack is required')
  .max(63)
  .regex(DNS_LABEL, 'stack: lower-case letters, digits and -');

/** The name of something saved in Homeport: a Docker endpoint, a NAS host, an S3 profile, an export. */
export const savedName = z
  .string()
  .min(1, 'name is required')
  .max(63, 'name: at most 63 characters')
  .regex(DNS_LABEL, 'name: lower-case letters, digits and -, like "nas-swarm"');
