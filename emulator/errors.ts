// The platform's error body and the statuses the emulator answers with.

export interface ErrorDetail {
  errorCode: string;
  fieldName?: string;
  entityId?: string;
  entityName?: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ErrorDetail[] = [],
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export function errorBody(
  status: number,
  code: string,
  message: string,
  contextId: string,
  details: ErrorDetail[] = [],
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return { message, code, status, contextId, details, errors: [], ...extra };
}

export const badRequest = (message: string, details: ErrorDetail[] = []) =>
  new ApiError(400, 'bad.request', message, details);

export const notFound = (message = 'The requested resource was not found.') =>
  new ApiError(404, 'not.found', message);

export function missingField(fieldName: string): ApiError {
  return badRequest(`The request could not be understood by the server due to malformed syntax.`, [
    { errorCode: 'missing.required.field', fieldName },
  ]);
}

export function invalidField(fieldName: string, why: string): ApiError {
  return badRequest(`Invalid value for ${fieldName}: ${why}`, [{ errorCode: 'invalid.value', fieldName }]);
}

export function rateLimited(retryAfterSeconds: number): ApiError {
  return new ApiError(
    429,
    'too.many.requests.retry.after',
    `Rate limit exceeded the maximum. Retry the request in [${retryAfterSeconds}] seconds`,
    [],
    {},
    { 'retry-after': String(retryAfterSeconds) },
  );
}
