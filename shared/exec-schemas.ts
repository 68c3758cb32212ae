/**
 * Terminal sessions: a command (a shell by default) in a pod's or a Swarm task's container, with a
 * terminal. A session is a subscription (`exec:session`): subscribing starts the command, its first
 * event gives the session id the input, resize, ack and close channels name, and ending the
 * subscription (or the connection or window that holds it) ends the command. Output flows only as
 * fast as the terminal acknowledges it (`exec:ack`), so a flood of output pauses the command's
 * stream instead of piling up in the transport.
 */
import { z } from 'zod';
import { k8sName } from './names';
import { targetSchema } from './target-schemas';

/** The shell a terminal runs unless the user picks another: every image with a shell has this one. */
export const DEFAULT_SHELL = '/bin/sh';

/** Output the terminal has not acknowledged yet, past which the session stops reading the command. */
export const EXEC_OUTPUT_WINDOW = 384 * 1024;
/** The terminal acknowledges output in steps of at most this many bytes (below the window, so it never stalls). */
export const EXEC_ACK_STEP = 64 * 1024;
/** The largest input one call carries; a longer paste is sent in several calls, in order. */
export const EXEC_INPUT_MAX = 32 * 1024;

const argument = z
  .string()
  .max(4096, 'an argument has at most 4096 characters')
  .refine((v) => !v.includes('\0'), 'an argument cannot contain a NUL character');

/** argv: the program (non-empty, no spaces: one word, as exec takes it) and its arguments. */
export const commandArgvSchema = z
  .array(argument)
  .min(1, 'give the program to run, for example /bin/sh')
  .max(64, 'at most 64 arguments')
  .refine((argv) => /^\S+$/.test(argv[0] ?? ''), {
    message: 'the program is one word without spaces, for example /bin/bash; put its arguments after it',
  });

/** A Swarm task or service as the user names it: an id, `service.slot`, or a service name. */
const swarmRef = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[\w.-]+$/, 'use the task or service id or name (letters, digits, ".", "_" and "-")');

export const workloadSchema = z.union([
  z.object({ pod: k8sName }).strict(),
  z.object({ task: swarmRef }).strict(),
  z.object({ service: swarmRef }).strict(),
]);

export const terminalSizeSchema = z
  .object({
    cols: z.number().int().min(2, 'cols: at least 2').max(1000, 'cols: at most 1000'),
    rows: z.number().int().min(1, 'rows: at least 1').max(500, 'rows: at most 500'),
  })
  .strict();
export type TerminalSizeInput = z.infer<typeof terminalSizeSchema>;

export const execStartSchema = z
  .object({
    target: targetSchema,
    workload: workloadSchema,
    /** A pod's container; by default the pod's default container, as kubectl picks it. */
    container: k8sName.optional(),
    command: commandArgvSchema.default([DEFAULT_SHELL]),
    size: terminalSizeSchema,
  })
  .strict();
export type ExecStart = z.input<typeof execStartSchema>;

/** Session ids are random UUIDs the main process hands out. */
export const sessionIdSchema = z.string().uuid('session: not a session id Homeport handed out');
const sessionRef = z.object({ session: sessionIdSchema }).strict();

const base64 = /^[A-Za-z0-9+/]*={0,2}$/;
export const execInputSchema = z.union([
  sessionRef
    .extend({ text: z.string().min(1).max(EXEC_INPUT_MAX, `text: at most ${EXEC_INPUT_MAX} characters a call`) })
    .strict(),
  sessionRef
    .extend({
      base64: z
        .string()
        .min(1)
        .max(Math.ceil(EXEC_INPUT_MAX / 3) * 4, `base64: at most ${EXEC_INPUT_MAX} bytes a call`)
        .regex(base64, 'base64: not base64'),
    })
    .strict(),
]);

export const execResizeSchema = sessionRef.extend({ size: terminalSizeSchema }).strict();
export const execAckSchema = sessionRef
  .extend({ bytes: z.number().int().min(1).max(EXEC_OUTPUT_WINDOW, `bytes: at most ${EXEC_OUTPUT_WINDOW}`) })
  .strict();
export const execSessionRefSchema = sessionRef;

export const commandFailures = [
  'not-found',
  'not-running',
  'other-node',
  'no-executable',
  'permission-denied',
  'unreachable',
  'connection-lost',
  'invalid',
  'cancelled',
  'runtime',
] as const;

export const commandResultSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('exited'), code: z.number().int() }),
  z.object({ kind: z.literal('signaled'), signal: z.string(), code: z.number().int() }),
  z.object({ kind: z.literal('failed'), reason: z.enum(commandFailures), message: z.string() }),
]);
export type CommandResultEvent = z.infer<typeof commandResultSchema>;

export const execEventSchema = z.discriminatedUnion('type', [
  /** The session exists: its id, for input, resize, ack and close. */
  z.object({ type: z.literal('session'), session: z.string() }),
  /** The command runs: where ("pod web-0 in namespace media"), in which container. */
  z.object({
    type: z.literal('started'),
    workload: z.string(),
    container: z.string(),
    defaulted: z.object({ from: z.array(z.string()) }).optional(),
  }),
  /** Terminal output, base64 (bytes: a character can be split between two events). */
  z.object({ type: z.literal('output'), base64: z.string() }),
  /** The command ended, or never ran; the last event of a session. */
  z.object({ type: z.literal('ended'), result: commandResultSchema }),
]);
export type ExecEvent = z.infer<typeof execEventSchema>;
