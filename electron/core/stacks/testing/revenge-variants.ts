/** Revenge with one mistake put back after the build, for tests that show the mistake is caught. */
import type { Component, StackDefinition, StackModel } from '../model';
import { revenge } from '../revenge-stack';

export function revengeWith(change: (api: Component) => void): StackDefinition {
  const def = revenge as StackDefinition;
  return {
    ...def,
    build: (values: unknown): StackModel => {
      const model = def.build(values);
      const api = model.components.find((c) => c.name === 'revenge');
      if (api) change(api);
      return model;
    },
  };
}
