import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { parseTrace, TraceError, TRACE_FORMAT } from '../../src/workload/trace.js';
import { seededBytes } from '../../src/workload/random.js';

const HEADER = JSON.stringify({ format: TRACE_FORMAT, volumes: 2, volumeBytes: 8192, blockSize: 512 });
const jsonl = (...records: object[]): string => [HEADER, ...records.map((r) => JSON.stringify(r))].join('\n');

/** The TraceError a trace is refused with: its line and field. */
function refusal(text: string, file = 'bad.jsonl'): { line: number; field: string; message: string } {
  try {
    parseTrace(text, file);
  } catch (error) {
    expect(error).toBeInstanceOf(TraceError);
    const e = error as TraceError;
    return { line: e.line, field: e.field, message: e.message };
  }
  throw new Error('the trace was accepted');
}

describe('workload: trace', () => {
  test('workload: trace: JSON lines give writes of hex and seeded bytes and every kind of consistency point', () => {
    const workload = parseTrace(jsonl(
      { time: 0, type: 'write', volume: 1, offset: 512, length: 512, data: 'ab'.repeat(512) },
      { time: 0.5, type: 'write', volume: 0, offset: 0, length: 1024, seed: 9 },
      { time: 0.5, type: 'barrier' }, { time: 1, type: 'freeze' }, { time: 1, type: 'split' },
    ), 't.jsonl');
    expect(workload.geometry).toEqual({ volumeCount: 2, volumeBytes: 8192, blockSize: 512 });
    expect(workload.records.map((r) => r.type)).toEqual(['write', 'write', 'barrier', 'freeze', 'split']);
    const [first, second] = workload.records;
    expect(first).toMatchObject({ volume: 1, offset: 512 });
    expect(Buffer.from((first as { data: Uint8Array }).data).equals(Buffer.alloc(512, 0xab))).toBe(true);
    expect((second as { data: unknown }).data).toEqual({ seed: 9, length: 1024 });
    expect(workload.replayOptions).toEqual(['--trace', 't.jsonl']);
  });

  test('workload: trace: the CSV and JSON-lines forms of the example trace are the same workload', () => {
    const fromJson = parseTrace(readFileSync('examples/workload/small.trace.jsonl', 'utf8'), 'small.trace.jsonl');
    const fromCsv = parseTrace(readFileSync('examples/workload/small.trace.csv', 'utf8'), 'small.trace.csv');
    expect(fromCsv.geometry).toEqual(fromJson.geometry);
    expect(fromCsv.records).toEqual(fromJson.records);
    expect(fromJson.records.length).toBe(128);
  });

  test('workload: trace: seeded bytes are mulberry32 words, little-endian, cut to the length', () => {
    // The first outputs of mulberry32 seeded 1 (docs/workload.md), so a port can check its generator.
    expect(Buffer.from(seededBytes(1, 10)).toString('hex')).toBe('f3ea87a0c949b300ebc4');
  });

  const cases: readonly [string, string, number, string][] = [
    ['an empty trace', '', 1, 'format'],
    ['a header of another format', JSON.stringify({ format: 'other', volumes: 1, volumeBytes: 512, blockSize: 512 }), 1, 'format'],
    ['a header with an unknown field', JSON.stringify({ format: TRACE_FORMAT, volumes: 1, volumeBytes: 512, blockSize: 512, extra: 1 }), 1, 'record'],
    ['a volume size that is not whole blocks', JSON.stringify({ format: TRACE_FORMAT, volumes: 1, volumeBytes: 700, blockSize: 512 }), 1, 'header'],
    ['a line that is not JSON', `${HEADER}\n{time: 0}`, 2, 'record'],
    ['an unknown record type', jsonl({ time: 0, type: 'trim' }), 2, 'type'],
    ['a negative time', jsonl({ time: -1, type: 'barrier' }), 2, 'time'],
    ['time going backwards', jsonl({ time: 2, type: 'barrier' }, { time: 1, type: 'barrier' }), 3, 'time'],
    ['a volume past the last', jsonl({ time: 0, type: 'write', volume: 2, offset: 0, length: 512, seed: 1 }), 2, 'volume'],
    ['an offset inside a block', jsonl({ time: 0, type: 'write', volume: 0, offset: 100, length: 512, seed: 1 }), 2, 'offset'],
    ['a length that is not whole blocks', jsonl({ time: 0, type: 'write', volume: 0, offset: 0, length: 100, seed: 1 }), 2, 'length'],
    ['a write past the end of the volume', jsonl({ time: 0, type: 'write', volume: 0, offset: 7680, length: 1024, seed: 1 }), 2, 'length'],
    ['a write with both data and seed', jsonl({ time: 0, type: 'write', volume: 0, offset: 0, length: 512, seed: 1, data: '00'.repeat(512) }), 2, 'seed'],
    ['a write with neither data nor seed', jsonl({ time: 0, type: 'write', volume: 0, offset: 0, length: 512 }), 2, 'data'],
    ['data shorter than the length', jsonl({ time: 0, type: 'write', volume: 0, offset: 0, length: 512, data: '00' }), 2, 'data'],
    ['data in uppercase hex', jsonl({ time: 0, type: 'write', volume: 0, offset: 0, length: 512, data: 'AB'.repeat(512) }), 2, 'data'],
    ['a seed past 32 bits', jsonl({ time: 0, type: 'write', volume: 0, offset: 0, length: 512, seed: 2 ** 32 }), 2, 'seed'],
  ];
  for (const [name, text, line, field] of cases) {
    test(`workload: trace: refuses ${name}, naming its line and field`, () => {
      expect(refusal(text)).toMatchObject({ line, field });
    });
  }

  test('workload: trace: refuses a CSV trace with an unknown column or a short row, naming the line', () => {
    const head = '# copyspec-trace-1 volumes=1 volumeBytes=4096 blockSize=512';
    expect(refusal(`${head}\ntime,type,lba\n`, 'x.csv')).toMatchObject({ line: 2, field: 'lba' });
    expect(refusal(`${head}\ntime,type,volume,offset,length,seed\n0,write,0,0\n`, 'x.csv')).toMatchObject({ line: 3, field: 'record' });
    expect(refusal('time,type\n', 'x.csv')).toMatchObject({ line: 1, field: 'format' });
  });
});
