/**
 * A port as a child process (docs/conform.md): its stdin takes one JSON message a line, its stdout gives one
 * JSON answer a line, its stderr is kept for the report. This module knows lines and time, not lifecycles:
 * every way a port can fail to answer (silence past the step's timeout, a line that is not JSON, an exit, an
 * answer too long to be one) becomes a `PortFailure` naming the step, and the process is then stopped, so
 * that no failure of the port is a crash or a hang of copyspec. Whether a JSON answer is the right one for
 * its step is the session's question (src/conform/session.ts).
 *
 * Requests may be pipelined: `send` writes a message without waiting, `receive` takes the next answer in
 * order. A port that reads a line, answers it and flushes, in a loop, handles that without knowing it.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';

/** The longest answer line taken: far above any observation of a preset copyspec defines. */
const MAX_ANSWER_CHARS = 16 * 1024 * 1024;
/** How much of the port's stderr a report keeps: the end, where a stack trace is. */
const STDERR_KEPT_CHARS = 16 * 1024;
/** Of a line that is not an answer, how much a report quotes. */
const QUOTED_CHARS = 200;

export type PortFailureKind = 'port-timeout' | 'port-malformed-answer' | 'port-exited';

/** A step is a command's number after its `init`; 0 is the `init` itself. */
export class PortFailure extends Error {
  constructor(
    readonly kind: PortFailureKind,
    readonly step: number,
    message: string,
    /** The port's stderr, the end of it, when the failure happened. */
    readonly stderr: string,
  ) {
    super(message);
  }
}

/** The port's command could not be started at all (no such file, not executable): a usage error. */
export class PortStartError extends Error {}

export const quoted = (line: string): string => JSON.stringify(line.length > QUOTED_CHARS ? `${line.slice(0, QUOTED_CHARS)}…` : line);

const stepName = (step: number): string => (step === 0 ? 'init' : `step ${step}`);

interface Waiter {
  readonly step: number;
  readonly resolve: (json: unknown) => void;
  readonly reject: (failure: PortFailure) => void;
  readonly timer: NodeJS.Timeout;
}

export class PortProcess {
  private readonly child: ChildProcessWithoutNullStreams;
  private buffer = '';
  /** Message lines sent and not yet written to the port's stdin. */
  private queued = '';
  /** Answer lines read and not yet received, in order. */
  private readonly lines: string[] = [];
  private waiter: Waiter | null = null;
  private stderrText = '';
  /** Set once the process has failed or ended; every later call reports it. */
  private failure: PortFailure | null = null;
  private closed = false;
  private readonly closedPromise: Promise<void>;

  /** Answers received so far: the first one may take `startupMs`, since it includes the port's start. */
  private answered = 0;

  private constructor(
    readonly argv: readonly string[],
    private readonly timeoutMs: number,
    private readonly startupMs: number,
  ) {
    this.child = spawn(argv[0]!, argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout.setEncoding('utf8');
    this.child.stderr.setEncoding('utf8');
    this.child.stdout.on('data', (chunk: string) => this.onStdout(chunk));
    this.child.stderr.on('data', (chunk: string) => {
      this.stderrText = (this.stderrText + chunk).slice(-STDERR_KEPT_CHARS);
    });
    // A port that exits while copyspec writes to it makes the write fail with EPIPE; the exit itself is what
    // gets reported, when the answer does not come.
    this.child.stdin.on('error', () => undefined);
    // Any later error of the process (a failed kill) ends it as a failure, never as an unhandled event.
    this.child.on('error', (error) => this.fail('port-exited', `the port's process failed: ${error.message}`));
    this.closedPromise = new Promise((resolve) => {
      this.child.on('close', (code, signal) => {
        this.closed = true;
        const how = signal !== null ? `was killed by ${signal}` : `exited with status ${code}`;
        this.fail('port-exited', `the port ${how} before answering`);
        resolve();
      });
    });
  }

  /**
   * Starts the port; rejects with PortStartError when its command cannot be run. Each answer may take
   * `timeoutMs`, the first `startupMs` if that is longer (an interpreter's start, a runtime's warm-up).
   */
  static start(argv: readonly string[], timeoutMs: number, startupMs: number): Promise<PortProcess> {
    return new Promise((resolve, reject) => {
      const port = new PortProcess(argv, timeoutMs, startupMs);
      port.child.once('spawn', () => resolve(port));
      port.child.once('error', (error) => reject(new PortStartError(`cannot start the port ${quoted(argv.join(' '))}: ${error.message}`)));
    });
  }

  get alive(): boolean {
    return this.failure === null;
  }

  /** The first answer line read and not received: with nothing asked, a line the port wrote unasked. */
  get unreadLine(): string | undefined {
    return this.lines[0];
  }

  /** The end of what the port wrote on stderr. */
  get stderr(): string {
    return this.stderrText;
  }

  /**
   * Queues one message line; `flush` writes the queue in one write, since a write per line cost more than
   * everything else copyspec does per step (a third of its time in a profile of 200-command runs).
   */
  send(step: number, message: object): void {
    if (this.failure !== null) throw this.failureAt(step);
    this.queued += `${JSON.stringify(message)}\n`;
  }

  flush(): void {
    if (this.queued === '' || this.failure !== null) return;
    this.child.stdin.write(this.queued);
    this.queued = '';
  }

  /** The next answer line, parsed; a PortFailure naming `step` if it is not JSON, late, or never comes. */
  receive(step: number): Promise<unknown> {
    this.flush();
    const line = this.lines.shift();
    if (line !== undefined) {
      this.answered += 1;
      return Promise.resolve(this.parse(step, line));
    }
    if (this.failure !== null) return Promise.reject(this.failureAt(step));
    const limitMs = this.answered === 0 ? Math.max(this.timeoutMs, this.startupMs) : this.timeoutMs;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.fail('port-timeout', `no answer within ${limitMs} ms${this.answered === 0 ? ' of starting' : ''}`);
      }, limitMs);
      this.waiter = { step, resolve, reject, timer };
    });
  }

  /** Kills the process: its answers are no longer trusted (a malformed one came). */
  abandon(): void {
    this.fail('port-malformed-answer', 'copyspec stopped the port after a malformed answer');
  }

  /**
   * Closes the port's stdin (its signal to exit) and waits for it to end, killing it after `timeoutMs`. The
   * wait after the kill is bounded too: a process the port started itself may hold its stdout open after the
   * port is gone, and copyspec must not wait for it.
   */
  async stop(): Promise<void> {
    if (!this.closed) {
      this.child.stdin.end();
      let timer: NodeJS.Timeout | undefined;
      const waited = (ms: number): Promise<void> => new Promise((resolve) => { timer = setTimeout(resolve, ms); });
      await Promise.race([this.closedPromise, waited(this.timeoutMs)]);
      clearTimeout(timer);
      if (!this.closed) {
        this.child.kill('SIGKILL');
        await Promise.race([this.closedPromise, waited(this.timeoutMs)]);
        clearTimeout(timer);
      }
    }
    if (this.failure === null) this.failure = new PortFailure('port-exited', 0, 'the port was stopped', this.stderrText);
  }

  private onStdout(chunk: string): void {
    this.buffer += chunk;
    let newline = this.buffer.indexOf('\n');
    while (newline !== -1) {
      const line = this.buffer.slice(0, newline).replace(/\r$/, '');
      this.buffer = this.buffer.slice(newline + 1);
      this.onLine(line);
      newline = this.buffer.indexOf('\n');
    }
    if (this.buffer.length > MAX_ANSWER_CHARS) this.fail('port-malformed-answer', `an answer line longer than ${MAX_ANSWER_CHARS} characters`);
  }

  private onLine(line: string): void {
    const waiter = this.waiter;
    if (waiter === null) {
      this.lines.push(line);
      return;
    }
    this.waiter = null;
    clearTimeout(waiter.timer);
    this.answered += 1;
    try {
      waiter.resolve(this.parse(waiter.step, line));
    } catch (failure) {
      waiter.reject(failure as PortFailure);
    }
  }

  private parse(step: number, line: string): unknown {
    try {
      return JSON.parse(line);
    } catch {
      this.fail('port-malformed-answer', `the answer is not JSON: ${quoted(line)}`);
      throw this.failureAt(step);
    }
  }

  /** Records the first failure, stops the process, and rejects a waiting receive with it. */
  private fail(kind: PortFailureKind, message: string): void {
    if (this.failure !== null) return;
    this.failure = new PortFailure(kind, -1, message, this.stderrText);
    if (!this.closed) this.child.kill('SIGKILL');
    const waiter = this.waiter;
    if (waiter !== null) {
      this.waiter = null;
      clearTimeout(waiter.timer);
      waiter.reject(this.failureAt(waiter.step));
    }
  }

  /** The recorded failure, as seen at `step`, with the stderr as it is now. */
  private failureAt(step: number): PortFailure {
    const failure = this.failure!;
    return new PortFailure(failure.kind, step, `${stepName(step)}: ${failure.message}`, this.stderrText);
  }
}
