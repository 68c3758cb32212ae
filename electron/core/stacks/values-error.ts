import type { FieldIssue } from '@shared/deploy-schemas';
import { HomeportError } from '../errors';

/** The user's values do not pass the stack's schema; nothing was sent to the target. */
export class ValuesError extends HomeportError {
  constructor(readonly issues: FieldIssue[]) {
    super(
      'INVALID_INPUT',
      `The values are not valid: ${issues.map((i) => `${i.path || '(values)'}: ${i.message}`).join('; ')}`,
    );
    this.name = 'ValuesError';
  }
}
