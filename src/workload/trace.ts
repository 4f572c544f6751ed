/**
 * The block-trace format of `copyspec workload --trace` (docs/workload.md "Block traces"), in JSON lines or
 * CSV, validated by zod: a header (format, volumes, volumeBytes, blockSize), then one record a line, a host
 * write (time, volume, offset, length, and data as hex or a data seed) or a consistency point (barrier,
 * freeze, split, backup). A malformed trace is refused whole with its line and field named (`TraceError`, exit 2),
 * before anything runs.
 */
import { readFile, stat } from 'node:fs/promises';
import { z } from 'zod';
import { geometryProblem, WORKLOAD_LIMITS, type CommitPoint, type Workload, type WorkloadRecord } from './workload.js';

export const TRACE_FORMAT = 'copyspec-trace-1';

/** A malformed trace: the file, the line (1-based) and the field. */
export class TraceError extends Error {
  constructor(readonly file: string, readonly line: number, readonly field: string, detail: string) {
    super(`${file}:${line}: ${field}: ${detail}`);
  }
}

const whole = z.number().int().nonnegative();
const positive = z.number().int().positive();
const time = z.number().nonnegative();

export const traceHeaderSchema = z.object({
  format: z.literal(TRACE_FORMAT),
  volumes: positive.max(WORKLOAD_LIMITS.maxVolumes),
  volumeBytes: positive.max(WORKLOAD_LIMITS.maxVolumeBytes),
  blockSize: positive.max(WORKLOAD_LIMITS.maxBlockSize),
}).strict();

const pointSchema = <T extends CommitPoint>(type: T) => z.object({ time, type: z.literal(type) }).strict();

export const traceRecordSchema = z.discriminatedUnion('type', [
  z.object({
    time,
    type: z.literal('write'),
    volume: whole,
    offset: whole,
    length: positive,
    data: z.string().regex(/^(?:[0-9a-f]{2})*$/, 'expected lowercase hex, two digits a byte').optional(),
    seed: whole.max(0xffffffff).optional(),
  }).strict(),
  pointSchema('barrier'),
  pointSchema('freeze'),
  pointSchema('split'),
  pointSchema('backup'),
]);

export type TraceHeader = z.infer<typeof traceHeaderSchema>;
type TraceRecord = z.infer<typeof traceRecordSchema>;

/** The first issue zod found, as field and message. */
function firstIssue(error: z.ZodError): { field: string; message: string } {
  const issue = error.issues[0]!;
  return { field: issue.path.map(String).join('.') || 'record', message: issue.message };
}

function parsed<T>(schema: z.ZodType<T>, value: unknown, file: string, line: number): T {
  const result = schema.safeParse(value);
  if (!result.success) {
    const { field, message } = firstIssue(result.error);
    throw new TraceError(file, line, field, message);
  }
  return result.data;
}

/** The checks that need the header and the record before: where a write lands, how long it is, time order. */
function checkRecord(record: TraceRecord, header: TraceHeader, previousTime: number, file: string, line: number): WorkloadRecord {
  const fail = (field: string, detail: string): never => { throw new TraceError(file, line, field, detail); };
  if (record.time < previousTime) fail('time', `${record.time} is before the previous record's ${previousTime}; records are in time order`);
  if (record.type !== 'write') return { type: record.type, time: record.time };
  const { blockSize, volumeBytes, volumes } = header;
  if (record.volume >= volumes) fail('volume', `no volume ${record.volume}; the trace has ${volumes}`);
  if (record.offset % blockSize !== 0) fail('offset', `${record.offset} is not a multiple of blockSize ${blockSize}`);
  if (record.length % blockSize !== 0) fail('length', `${record.length} is not a multiple of blockSize ${blockSize}`);
  if (record.offset + record.length > volumeBytes) fail('length', `the write runs to ${record.offset + record.length}, past the volume's ${volumeBytes} bytes`);
  if ((record.data === undefined) === (record.seed === undefined)) fail(record.data === undefined ? 'data' : 'seed', 'a write has exactly one of data and seed');
  if (record.data !== undefined) {
    if (record.data.length !== 2 * record.length) fail('data', `${record.data.length / 2} bytes of data for a length of ${record.length}`);
    return { type: 'write', time: record.time, volume: record.volume, offset: record.offset, data: Buffer.from(record.data, 'hex') };
  }
  return { type: 'write', time: record.time, volume: record.volume, offset: record.offset, data: { seed: record.seed!, length: record.length } };
}

/** JSON lines: the header object on the first line that is not blank, then one record a line. */
function jsonLines(lines: readonly string[], file: string): { header: TraceHeader; rows: { line: number; value: unknown }[] } {
  const rows: { line: number; value: unknown }[] = [];
  for (let i = 0; i < lines.length; i += 1) {
    const text = lines[i]!.trim();
    if (text === '') continue;
    try {
      rows.push({ line: i + 1, value: JSON.parse(text) });
    } catch (error) {
      throw new TraceError(file, i + 1, 'record', `not readable JSON: ${(error as Error).message}`);
    }
  }
  const [first, ...rest] = rows;
  if (first === undefined) throw new TraceError(file, 1, 'format', `an empty trace; the first line is the header {"format": "${TRACE_FORMAT}", ...}`);
  return { header: parsed(traceHeaderSchema, first.value, file, first.line), rows: rest };
}

const CSV_COLUMNS = ['time', 'type', 'volume', 'offset', 'length', 'data', 'seed'] as const;
const NUMERIC = new Set(['time', 'volume', 'offset', 'length', 'seed', 'volumes', 'volumeBytes', 'blockSize']);
const NUMBER_TEXT = /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;

/** A CSV or header cell as JSON would have it: numbers where the field is numeric and the text is one. */
function cell(field: string, text: string): unknown {
  return NUMERIC.has(field) && NUMBER_TEXT.test(text) ? Number(text) : text;
}

/** `# copyspec-trace-1 volumes=1 volumeBytes=1048576 blockSize=512` as the header object. */
function csvHeader(text: string, file: string, line: number): TraceHeader {
  const [mark, format, ...pairs] = text.split(/\s+/);
  if (mark !== '#') throw new TraceError(file, line, 'format', `the first line of a CSV trace is "# ${TRACE_FORMAT} volumes=N volumeBytes=N blockSize=N"`);
  const header: Record<string, unknown> = { format };
  for (const pair of pairs) {
    const [name, value, extra] = pair.split('=');
    if (name === undefined || value === undefined || extra !== undefined) throw new TraceError(file, line, pair, 'expected name=value');
    header[name] = cell(name, value);
  }
  return parsed(traceHeaderSchema, header, file, line);
}

/** CSV: the header comment, the column names (those of CSV_COLUMNS, any order), then one record a line. */
function csvLines(lines: readonly string[], file: string): { header: TraceHeader; rows: { line: number; value: unknown }[] } {
  const nonBlank = lines.map((text, i) => ({ text: text.trim(), line: i + 1 })).filter((l) => l.text !== '');
  const [headerLine, columnLine, ...records] = nonBlank;
  if (headerLine === undefined) throw new TraceError(file, 1, 'format', 'an empty trace');
  const header = csvHeader(headerLine.text, file, headerLine.line);
  if (columnLine === undefined) throw new TraceError(file, headerLine.line + 1, 'columns', `expected the column names ${CSV_COLUMNS.join(',')}`);
  const columns = columnLine.text.split(',');
  for (const column of columns) {
    if (!(CSV_COLUMNS as readonly string[]).includes(column)) throw new TraceError(file, columnLine.line, column, `unknown column; the columns are ${CSV_COLUMNS.join(', ')}`);
  }
  const rows = records.map(({ text, line }) => {
    const cells = text.split(',');
    if (cells.length !== columns.length) throw new TraceError(file, line, 'record', `${cells.length} fields for ${columns.length} columns`);
    const value: Record<string, unknown> = {};
    cells.forEach((content, i) => { if (content !== '') value[columns[i]!] = cell(columns[i]!, content); });
    return { line, value };
  });
  return { header, rows };
}

/** Which format a trace is in: CSV by its `.csv` name or its `#` header line, otherwise JSON lines. */
function isCsv(file: string, text: string): boolean {
  return file.toLowerCase().endsWith('.csv') || text.trimStart().startsWith('#');
}

/**
 * Parses a whole trace; throws TraceError at the first malformed line. `file` names the trace in messages
 * and replay commands.
 */
export function parseTrace(text: string, file: string): Workload {
  const lines = text.split(/\r?\n/);
  const { header, rows } = isCsv(file, text) ? csvLines(lines, file) : jsonLines(lines, file);
  const geometry = { volumeCount: header.volumes, volumeBytes: header.volumeBytes, blockSize: header.blockSize };
  const problem = geometryProblem(geometry);
  if (problem !== null) throw new TraceError(file, 1, 'header', problem);
  if (rows.length > WORKLOAD_LIMITS.maxRecords) throw new TraceError(file, rows[WORKLOAD_LIMITS.maxRecords]!.line, 'record', `more than ${WORKLOAD_LIMITS.maxRecords} records`);
  const records: WorkloadRecord[] = [];
  let previousTime = 0;
  for (const { line, value } of rows) {
    const record = checkRecord(parsed(traceRecordSchema, value, file, line), header, previousTime, file, line);
    previousTime = record.time;
    records.push(record);
  }
  return {
    title: `trace ${file}, ${header.volumes} volume${header.volumes === 1 ? '' : 's'} of ${header.volumeBytes} bytes, ${records.length} records`,
    geometry,
    fileSystem: null,
    records,
    replayOptions: ['--trace', file],
  };
}

/** Reads and parses a trace file for `--trace`; a file that cannot be read is a TraceError too (exit 2). */
export async function readTrace(file: string): Promise<Workload> {
  const info = await stat(file).catch((error: Error) => { throw new TraceError(file, 0, 'file', error.message); });
  if (!info.isFile()) throw new TraceError(file, 0, 'file', 'not a file');
  if (info.size > WORKLOAD_LIMITS.maxFileBytes) throw new TraceError(file, 0, 'file', `${info.size} bytes, more than the ${WORKLOAD_LIMITS.maxFileBytes} a trace may have`);
  return parseTrace(await readFile(file, 'utf8'), file);
}
