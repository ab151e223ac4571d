import { ValidationError, ValidationPipe } from '@nestjs/common';
import { FieldProblem, ProblemError } from './problem';

/**
 * One problem entry per failed constraint, with the full dotted path of the field (`items.3.memberIds`)
 * so a client can point at the exact input. Constraint names become codes: `isUuid` → `IS_UUID`; an
 * unexpected property (forbidNonWhitelisted) → `UNKNOWN_FIELD`.
 */
export function fieldProblemsOf(errors: ValidationError[], parentPath = ''): FieldProblem[] {
  return errors.flatMap((error) => {
    const field = parentPath === '' ? error.property : `${parentPath}.${error.property}`;
    const own = Object.entries(error.constraints ?? {}).map(([constraint, message]) => ({
      field,
      code: constraintCode(constraint),
      message: constraint === 'whitelistValidation' ? `${field} is not a known field` : message,
    }));
    return [...own, ...fieldProblemsOf(error.children ?? [], field)];
  });
}

const constraintCode = (constraint: string): string =>
  constraint === 'whitelistValidation' ? 'UNKNOWN_FIELD' : constraint.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();

export function validationProblem(errors: ValidationError[]): ProblemError {
  const fields = fieldProblemsOf(errors);
  const names = [...new Set(fields.map((problem) => problem.field))];
  const detail = names.length === 1 ? `${names[0]} is invalid: ${fields[0].message}` : `${names.length} fields are invalid: ${names.join(', ')}`;
  return new ProblemError({ status: 400, code: 'VALIDATION_FAILED', title: 'Validation failed', detail, errors: fields });
}

/** The global pipe: unknown fields are errors, payloads become DTO instances, failures are problem+json. */
export const createValidationPipe = (): ValidationPipe =>
  new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    validationError: { target: false, value: false },
    exceptionFactory: validationProblem,
  });
