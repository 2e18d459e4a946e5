/** The admin API's error body and the one place that turns failures into it. */
import { type Diagnostic, MilepostError } from '@milepost/core';
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { ZodError, type ZodType, type z } from 'zod';

/** One problem with a request, at a field and (for YAML sources) a line. */
export interface ApiIssue {
  path: string;
  message: string;
  severity?: 'error' | 'warning';
  line?: number;
  column?: number;
  file?: string;
}

/** An error the API answers with its own status and code. */
export class HttpError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly issues?: ApiIssue[],
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** Zod issues as API issues. */
export function zodIssues(error: ZodError): ApiIssue[] {
  return error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
}

/** Core diagnostics as API issues. */
export function diagnosticIssues(diagnostics: readonly Diagnostic[]): ApiIssue[] {
  return diagnostics.map((diagnostic) => ({
    path: diagnostic.path,
    message: diagnostic.message,
    severity: diagnostic.severity,
    line: diagnostic.line,
    column: diagnostic.column,
    file: diagnostic.file,
  }));
}

/** Parses a JSON body against `schema`, or answers 400 naming each bad field. */
export async function readBody<Schema extends ZodType>(
  context: Context,
  schema: Schema,
): Promise<z.output<Schema>> {
  let body: unknown;
  try {
    body = await context.req.json();
  } catch {
    throw new HttpError(400, 'BAD_REQUEST', 'the request body must be JSON (content-type: application/json)');
  }
  return parseRequestPart(schema, body, 'request body');
}

/** Parses a request's query string against `schema`, or answers 400 naming each bad parameter. */
export function readQuery<Schema extends ZodType>(context: Context, schema: Schema): z.output<Schema> {
  return parseRequestPart(schema, context.req.query(), 'query');
}

/**
 * Validates one part of a request (`what`: "request body", "query", "request") against `schema`,
 * or answers 400 naming each bad field.
 */
export function parseRequestPart<Schema extends ZodType>(
  schema: Schema,
  value: unknown,
  what: string,
): z.output<Schema> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new HttpError(400, 'BAD_REQUEST', `the ${what} is not valid; see issues`, zodIssues(parsed.error));
  }
  return parsed.data;
}

const MILEPOST_STATUS: Record<string, ContentfulStatusCode> = {
  INVALID_FILE: 422,
  INVALID_INPUT: 400,
  AUTHENTICATION_FAILED: 502,
  PERMISSION_DENIED: 502,
  RATE_LIMITED: 503,
  DAILY_LIMIT_REACHED: 503,
  VENDOR_UNAVAILABLE: 502,
  VENDOR_REJECTED: 502,
  UNSAFE_CHANGE: 409,
  CAPABILITY_MISSING: 409,
};

/** Answers any failure with the API's error body; unexpected ones are logged and answered 500. */
export function errorResponse(error: unknown, context: Context, log: (line: string) => void) {
  if (error instanceof HttpError) {
    return context.json(
      {
        error: {
          code: error.code,
          message: error.message,
          ...(error.issues ? { issues: error.issues } : {}),
        },
      },
      error.status,
    );
  }
  if (error instanceof ZodError) {
    return context.json(
      { error: { code: 'BAD_REQUEST', message: 'the request is not valid', issues: zodIssues(error) } },
      400,
    );
  }
  if (MilepostError.isInstance(error)) {
    return context.json(
      { error: { code: error.code, message: error.message } },
      MILEPOST_STATUS[error.code] ?? 500,
    );
  }
  log(
    `internal error on ${context.req.method} ${context.req.path}: ${error instanceof Error ? error.stack : String(error)}`,
  );
  return context.json(
    { error: { code: 'INTERNAL', message: 'something went wrong on the server; see its log' } },
    500,
  );
}
