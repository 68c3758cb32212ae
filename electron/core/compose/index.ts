/**
 * Bring your own stack: a docker-compose.yml read, checked and turned into a stack definition
 * (analyze.ts: what Homeport understood and cannot express; definition.ts: the saved user stack as
 * a StackDefinition deployed like a catalog stack).
 */
export { analyzeCompose, type AnalyzeOptions } from './analyze';
export { readCompose, type ComposeInputs, type ComposeRead } from './read';
export {
  composeContracts,
  composeNeeds,
  composeSignals,
  userStackDefinition,
  userStackProject,
  UserStackError,
} from './definition';
export { composeToModel, configName, secretName, type ModelInput } from './to-model';
export { userStackNasPlaces, withNasTargets, type NasPlace } from './references';
export { userStackValuesSchema, type UserStackValues, type VolumeValues } from './values';
export type { ComposeProject, ComposeService } from './project';
