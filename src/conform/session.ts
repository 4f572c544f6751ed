/**
 * One port driven through one lifecycle, variant and preset (docs/conform.md): `check` resets the port with
 * `init`, sends a command sequence, and compares every answer with copyspec's own reference world by the
 * definition the conformance vectors use (src/observation.ts). It returns the first finding (a difference,
 * a malformed or missing answer, a timeout, an exit), each naming its step, or null when every answer matched.
 *
 * The session outlives one sequence: the same process is reset with `init` for the next one, and a process
 * that failed is replaced by a fresh one at the next `init`, so a crash in one run does not end the check.
 * The messages of a sequence are pipelined (all sent, then the answers read in order), which the protocol
 * allows; `lockstep` sends each command only after the previous answer, for ports that need it and for the
 * benchmark's comparison of the two.
 */
import type { AnyLifecycle } from '../lifecycle.js';
import { expectInitial, expectStep, observationDifferences, stepDifferences, type Difference } from '../observation.js';
import { PortFailure, PortProcess, quoted } from './port.js';
import { CONFORM_PROTOCOL, parseCommandAnswer, parseInitAnswer, type CommandMessage, type InitMessage } from './protocol.js';

/** The port answered, but not what copyspec expects: the step (0 is `init`) and every field that differs. */
export class PortDiffers extends Error {
  constructor(
    readonly step: number,
    readonly differences: readonly Difference[],
    readonly stderr: string,
  ) {
    super(`step ${step}: ${differences.map((d) => `${d.section}.${d.field}`).join(', ')} differ`);
  }
}

/** The port does not implement the variant (its `init` answer said so, with why). */
export class PortDeclined extends Error {}

export type Finding = PortDiffers | PortFailure;

export interface SessionOptions {
  readonly argv: readonly string[];
  readonly lifecycle: AnyLifecycle;
  readonly variant: string;
  /** A preset name of the lifecycle. */
  readonly preset: string;
  /** How long the port may take to answer one message, and its first after starting. */
  readonly timeoutMs: number;
  readonly startupMs: number;
  /** Send each command only after the previous answer. */
  readonly lockstep?: boolean;
}

export class PortSession {
  private port: PortProcess | null = null;
  /** Messages sent to the current process whose answers have not been read. */
  private outstanding = 0;
  /** Commands the port answered, `init`s not counted. */
  portSteps = 0;
  inits = 0;
  /** Processes started: 1, plus one for every process that failed and was replaced. */
  starts = 0;
  private readonly initMessage: InitMessage;
  private readonly geometry: unknown;

  constructor(private readonly options: SessionOptions) {
    const { lifecycle, variant, preset } = options;
    this.geometry = lifecycle.preset(preset);
    this.initMessage = {
      message: 'init', protocol: CONFORM_PROTOCOL, lifecycle: lifecycle.id, variant,
      parameters: lifecycle.variant(variant).control, preset, geometry: this.geometry,
    };
  }

  /** The end of the current (or last) process's stderr. */
  get stderr(): string {
    return this.port?.stderr ?? '';
  }

  /**
   * Resets the port and runs `commands`, comparing after each with the reference; the first finding, or
   * null. The machine transitions the reference took on every step the port matched are added to `covered`.
   * Throws PortDeclined when the port does not implement the variant, and PortStartError when the port
   * cannot be started at all.
   */
  async check(commands: readonly unknown[], covered?: Set<string>): Promise<Finding | null> {
    const { lifecycle, variant } = this.options;
    const start = expectInitial(lifecycle, variant, this.geometry);
    let world = start.world;
    const steps = commands.map((command) => {
      const before = world;
      const stepped = expectStep(lifecycle, before, command);
      world = stepped.after;
      return { before, command, ...stepped };
    });
    const port = await this.ready();
    const unasked = port.unreadLine;
    if (unasked !== undefined) {
      // Every answer of the previous sequence was read, so this line answers nothing: the last answer had two lines.
      return this.malformed(port, 0, `before this init, the port wrote a line no message asked for: ${quoted(unasked)}`);
    }
    try {
      this.send(port, 0, this.initMessage);
      const lockstep = this.options.lockstep === true;
      if (!lockstep) commands.forEach((command, index) => this.send(port, index + 1, this.commandMessage(index + 1, command)));
      const initial = await this.receiveInit(port);
      const initialDifferences = observationDifferences(start.observed, initial);
      if (initialDifferences.length > 0) return new PortDiffers(0, initialDifferences, port.stderr);
      for (const [index, step] of steps.entries()) {
        if (lockstep) this.send(port, index + 1, this.commandMessage(index + 1, step.command));
        const answer = await this.receiveCommand(port, index + 1);
        const differences = stepDifferences(step.expected, answer);
        if (differences.length > 0) return new PortDiffers(index + 1, differences, port.stderr);
        if (covered !== undefined) {
          for (const edge of lifecycle.takenEdges({ before: step.before, event: step.command, outcome: step.outcome, after: step.after })) covered.add(edge);
        }
      }
      return null;
    } catch (error) {
      if (error instanceof PortFailure) return error;
      throw error;
    }
  }

  /** Stops the port: closes its stdin and waits for it to exit. */
  async close(): Promise<void> {
    await this.port?.stop();
    this.port = null;
  }

  private commandMessage(step: number, command: unknown): CommandMessage {
    return { message: 'command', step, command };
  }

  /** A live process with nothing outstanding: the current one, its unread answers drained, or a new one. */
  private async ready(): Promise<PortProcess> {
    const current = this.port;
    if (current !== null && current.alive) {
      try {
        for (; this.outstanding > 0; this.outstanding -= 1) await current.receive(-1);
        return current;
      } catch {
        // The process failed while answering the previous sequence's tail; a fresh one replaces it.
      }
    }
    await current?.stop();
    this.outstanding = 0;
    this.port = await PortProcess.start(this.options.argv, this.options.timeoutMs, this.options.startupMs);
    this.starts += 1;
    return this.port;
  }

  private send(port: PortProcess, step: number, message: object): void {
    port.send(step, message);
    this.outstanding += 1;
  }

  private async receiveInit(port: PortProcess): Promise<Readonly<Record<string, unknown>>> {
    const json = await port.receive(0);
    this.outstanding -= 1;
    this.inits += 1;
    const answer = parseInitAnswer(json);
    if (typeof answer === 'string') throw this.malformed(port, 0, answer);
    if (!answer.ready) {
      await this.close();
      throw new PortDeclined(answer.reason);
    }
    return answer.observed;
  }

  private async receiveCommand(port: PortProcess, step: number): Promise<{ outcome: Readonly<Record<string, unknown>>; observed: Readonly<Record<string, unknown>> }> {
    const json = await port.receive(step);
    this.outstanding -= 1;
    this.portSteps += 1;
    const answer = parseCommandAnswer(json);
    if (typeof answer === 'string') throw this.malformed(port, step, answer);
    if (answer.step !== step) {
      throw this.malformed(port, step, `the answer is for step ${answer.step}: a port answers every message with exactly one line, in order`);
    }
    return answer;
  }

  /** A JSON answer of the wrong shape: reported, and the process replaced, since its stream is no longer trusted. */
  private malformed(port: PortProcess, step: number, why: string): PortFailure {
    port.abandon();
    return new PortFailure('port-malformed-answer', step, `${step === 0 ? 'init' : `step ${step}`}: ${why}`, port.stderr);
  }
}
