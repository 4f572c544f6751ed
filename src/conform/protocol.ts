/**
 * The adapter protocol of `copyspec conform` (docs/conform.md): newline-delimited JSON between copyspec and a
 * port running as a child process, one message a line each way. copyspec sends `init` (reset to the initial
 * world of a variant and a preset) and then one `command` message per command, carrying the same command JSON
 * as the conformance vectors; the port answers each message with one line: `init` with its initial
 * observation, a command with its outcome and observation (the fields src/observation.ts compares).
 *
 * Answers are validated here with zod, so a malformed one is reported with the field that is wrong, never
 * taken for a difference in behaviour.
 */
import { z } from 'zod';
import { issuesText } from '../harness/define.js';

/** Changes only when the protocol breaks; a port checks it in `init` and echoes it in its answer. */
export const CONFORM_PROTOCOL = 'copyspec-conform-1';

export interface InitMessage {
  readonly message: 'init';
  readonly protocol: typeof CONFORM_PROTOCOL;
  readonly lifecycle: string;
  readonly variant: string;
  /** The variant's control parameters, as the vector files carry them. */
  readonly parameters: unknown;
  readonly preset: string;
  /** The preset's geometry, as the vector files carry it. */
  readonly geometry: unknown;
}

export interface CommandMessage {
  readonly message: 'command';
  /** 1 for the first command after an `init`; the port echoes it. */
  readonly step: number;
  readonly command: unknown;
}

const observation = z.record(z.string(), z.unknown());

const readySchema = z.object({ protocol: z.literal(CONFORM_PROTOCOL), ready: z.literal(true), observed: observation }).strict();
const declinedSchema = z.object({ protocol: z.literal(CONFORM_PROTOCOL), ready: z.literal(false), reason: z.string() }).strict();

/** What a port answers to `init`: ready, with the initial observation, or a variant it does not implement. */
export type InitAnswer = z.infer<typeof readySchema> | z.infer<typeof declinedSchema>;

/**
 * An outcome: `accepted` is required, a refusal needs its numeric `code`; everything else is the lifecycle's
 * and is compared, not validated (src/observation.ts).
 */
const outcomeSchema = z.looseObject({ accepted: z.boolean() }).superRefine((outcome, context) => {
  const code = (outcome as Record<string, unknown>)['code'];
  if (!outcome.accepted && !(typeof code === 'number' && Number.isSafeInteger(code) && code > 0)) {
    context.addIssue({ code: 'custom', path: ['code'], message: 'a refusal needs its numeric reason code, a whole number from 1' });
  }
});

/** What a port answers to a command. */
export const commandAnswerSchema = z.object({ step: z.number(), outcome: outcomeSchema, observed: observation }).strict();

export interface CommandAnswer {
  readonly step: number;
  readonly outcome: Readonly<Record<string, unknown>>;
  readonly observed: Readonly<Record<string, unknown>>;
}

/** The answer, or the reason it is malformed, naming the field (`observed: expected record`). */
export function parseInitAnswer(json: unknown): InitAnswer | string {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return 'the answer to init is not a JSON object';
  const { protocol, ready, step } = json as { protocol?: unknown; ready?: unknown; step?: unknown };
  if (step !== undefined && protocol === undefined) {
    return `the answer to init is a command's answer (step ${JSON.stringify(step)}): a second line after the last answer of the sequence before?`;
  }
  if (protocol !== CONFORM_PROTOCOL) return `protocol is ${JSON.stringify(protocol) ?? 'missing'}, expected "${CONFORM_PROTOCOL}"`;
  if (typeof ready !== 'boolean') return 'ready: expected true or false';
  const parsed = (ready ? readySchema : declinedSchema).safeParse(json);
  return parsed.success ? parsed.data : issuesText(parsed.error.issues, 'answer');
}

export function parseCommandAnswer(json: unknown): CommandAnswer | string {
  const parsed = commandAnswerSchema.safeParse(json);
  return parsed.success ? (parsed.data as CommandAnswer) : issuesText(parsed.error.issues, 'answer');
}
