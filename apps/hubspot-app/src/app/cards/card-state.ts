/**
 * The admin server's card contract (apps/admin/API.md, "CardState") and hand-written runtime checks for
 * it: the card bundle carries no schema library, and a response is checked before anything renders.
 */

/** A stage on the journey's path, as the card shows it. */
export interface CardPathStep {
  key: string;
  name: string;
  status: 'done' | 'current' | 'upcoming';
}

/** A milestone of the current stage. */
export interface CardMilestone {
  key: string;
  name: string;
  success: string | null;
  status: 'achieved' | 'pending' | 'not-applicable';
  achievedAt: string | null;
  /** e.g. "3 of 5 active users". */
  progress: string | null;
  /** No criteria: recorded by hand, so the card offers "mark achieved". */
  manual: boolean;
}

/** A task Milepost created for the record. */
export interface CardTask {
  key: string;
  subject: string;
  dueDate: string;
  status: 'open' | 'overdue' | 'done';
}

/** Everything the journey card shows for one record (GET /hubspot/card). */
export interface CardState {
  portalId: number;
  objectType: string;
  objectId: string;
  journey: { key: string; name: string; version: number };
  path: CardPathStep[];
  stage: { key: string; name: string; daysInStage: number; expectedDays: number | null; enteredAt: string };
  sla: 'on-track' | 'behind' | 'stuck';
  milestones: CardMilestone[];
  nextMilestone: { key: string; name: string; progress: string | null } | null;
  tasks: CardTask[];
  owner: { team: string; name: string } | null;
  handoff: { from: string; to: string; toName: string; artifacts: string[] } | null;
  whatsNext: string;
  actions: { advanceStage: boolean; nextStage: { key: string; name: string } | null };
}

/** The body of POST /hubspot/card/actions. */
export type CardActionRequest =
  | { objectType: string; objectId: string; action: 'achieve-milestone'; milestone: string }
  | { objectType: string; objectId: string; action: 'advance-stage' };

/**
 * Why the card has no state to show. `code` is the server's (`NOT_INSTALLED`, `NEEDS_REINSTALL`,
 * `NOT_FOUND`, `NOT_TRACKED`, …) or one of the card's own: `NETWORK_ERROR` (the call failed or timed out)
 * and `INVALID_RESPONSE` (the server answered something that is not the contract).
 */
export interface CardError {
  code: string;
  message: string;
}

type Check = (value: unknown) => boolean;

const isString: Check = (value) => typeof value === 'string';
const isNumber: Check = (value) => typeof value === 'number' && Number.isFinite(value);
const isBoolean: Check = (value) => typeof value === 'boolean';
const nullable =
  (check: Check): Check =>
  (value) =>
    value === null || check(value);
const oneOf =
  (...values: string[]): Check =>
  (value) =>
    typeof value === 'string' && values.includes(value);
const arrayOf =
  (check: Check): Check =>
  (value) =>
    Array.isArray(value) && value.every(check);
const objectWith =
  (shape: Record<string, Check>): Check =>
  (value) =>
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.entries(shape).every(([key, check]) => check((value as Record<string, unknown>)[key]));

const keyAndName = objectWith({ key: isString, name: isString });

const cardStateCheck = objectWith({
  portalId: isNumber,
  objectType: isString,
  objectId: isString,
  journey: objectWith({ key: isString, name: isString, version: isNumber }),
  path: arrayOf(objectWith({ key: isString, name: isString, status: oneOf('done', 'current', 'upcoming') })),
  stage: objectWith({
    key: isString,
    name: isString,
    daysInStage: isNumber,
    expectedDays: nullable(isNumber),
    enteredAt: isString,
  }),
  sla: oneOf('on-track', 'behind', 'stuck'),
  milestones: arrayOf(
    objectWith({
      key: isString,
      name: isString,
      success: nullable(isString),
      status: oneOf('achieved', 'pending', 'not-applicable'),
      achievedAt: nullable(isString),
      progress: nullable(isString),
      manual: isBoolean,
    }),
  ),
  nextMilestone: nullable(objectWith({ key: isString, name: isString, progress: nullable(isString) })),
  tasks: arrayOf(
    objectWith({
      key: isString,
      subject: isString,
      dueDate: isString,
      status: oneOf('open', 'overdue', 'done'),
    }),
  ),
  owner: nullable(objectWith({ team: isString, name: isString })),
  handoff: nullable(
    objectWith({ from: isString, to: isString, toName: isString, artifacts: arrayOf(isString) }),
  ),
  whatsNext: isString,
  actions: objectWith({ advanceStage: isBoolean, nextStage: nullable(keyAndName) }),
});

/** True when `value` has every field of a {@link CardState} with the contract's types and values. */
export function isCardState(value: unknown): value is CardState {
  return cardStateCheck(value);
}

const errorBodyCheck = objectWith({ error: objectWith({ code: isString, message: isString }) });

/** The `{ error: { code, message } }` body of a failed admin call, or null when the body is not one. */
export function cardErrorFromBody(body: unknown): CardError | null {
  if (!errorBodyCheck(body)) return null;
  const { code, message } = (body as { error: CardError }).error;
  return { code, message };
}
