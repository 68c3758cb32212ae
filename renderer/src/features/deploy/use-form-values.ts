import { useState } from 'react';
import type { StackInfo } from '@shared/deploy-schemas';
import { isRecord, type Values } from './schema-values';
import { useLiveValues, type DeployRef } from './use-deploy';

interface FormState {
  values?: Values;
  /** Which values were loaded last: stack, target and live revision (or 'defaults'). */
  loadedFrom?: string;
  /** The revision the values were loaded from; undefined when they started from the defaults. */
  loadedRevision?: number;
  /** The user changed the values since they were loaded: a new live revision does not replace them. */
  edited: boolean;
  /** The user pressed 'Reset to defaults' while the stack is deployed: 'Back to deployed' undoes it. */
  resetToDefaults: boolean;
  /** Changes when the values are replaced as a whole, so inputs that keep their own text start over. */
  formKey: number;
}

const initial: FormState = { edited: false, resetToDefaults: false, formKey: 0 };
const defaultsOfStack = (stack: StackInfo): Values => (isRecord(stack.defaults) ? structuredClone(stack.defaults) : {});

/**
 * The values the Deploy form edits. They start from the live revision's values when the stack is
 * deployed to the target (so reviewing a plan without a change shows no change), else from the
 * stack's defaults; a new live revision (an apply, a rollback, an uninstall) reloads them unless the
 * user has edited them since.
 */
export function useFormValues(stack: StackInfo | undefined, ref: DeployRef | undefined) {
  const liveQuery = useLiveValues(ref);
  const [state, setState] = useState<FormState>(initial);
  const live = ref && liveQuery.data ? (liveQuery.data.live ?? undefined) : undefined;
  // Until the live values are read (or could not be), the form does not start: defaults shown first
  // would be planned against the deployed stack as if the user had reverted it.
  const settled = ref === undefined || liveQuery.data !== undefined || liveQuery.error !== null;
  const desired =
    stack && settled
      ? `${stack.name}|${JSON.stringify(ref?.target ?? null)}|${live?.revision ?? 'defaults'}`
      : undefined;

  // Loaded while rendering (React's pattern for state that follows other values), not in an effect:
  // the form never renders a frame with the previous values.
  if (stack && desired !== undefined && !state.edited && state.loadedFrom !== desired) {
    setState((s) => ({
      values: live ? structuredClone(live.values) : defaultsOfStack(stack),
      loadedFrom: desired,
      loadedRevision: live?.revision,
      edited: false,
      resetToDefaults: false,
      formKey: s.formKey + 1,
    }));
  }

  return {
    values: state.values,
    formKey: state.formKey,
    /** The live revision on the target, when there is one. */
    live,
    liveError: liveQuery.error,
    loading: stack !== undefined && !settled,
    loadedRevision: state.loadedRevision,
    edited: state.edited,
    resetToDefaults: state.resetToDefaults,
    /** A new stack: its values load from its live revision or its defaults. */
    pick: () => setState((s) => ({ ...initial, formKey: s.formKey + 1 })),
    edit: (values: Values) => setState((s) => ({ ...s, values, edited: true })),
    /** The stack's defaults, explicitly; undone by backToDeployed. */
    reset: () =>
      stack &&
      setState((s) => ({
        ...s,
        values: defaultsOfStack(stack),
        edited: true,
        resetToDefaults: live !== undefined,
        formKey: s.formKey + 1,
      })),
    /** The live revision's values again, dropping the user's changes. */
    backToDeployed: () => setState((s) => ({ ...s, edited: false, loadedFrom: undefined })),
    /** After an apply: the values follow the revision it recorded. */
    applied: () => setState((s) => ({ ...s, edited: false })),
  };
}
