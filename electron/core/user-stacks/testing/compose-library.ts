/** The compose library user stack tests build with: the real one (electron/core/compose). */
import { analyzeCompose, userStackDefinition } from '../../compose';

export const composeLibrary = { analyzeCompose, userStackDefinition };
