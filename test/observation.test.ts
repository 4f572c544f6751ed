/**
 * The one definition of what a port must match (src/observation.ts), which the vector consumer and conform
 * both apply, and the validation of a port's answers (src/conform/protocol.ts).
 */
import { describe, expect, test } from 'vitest';
import { parseCommandAnswer, parseInitAnswer } from '../src/conform/protocol.js';
import type { ObservedOutcome } from '../src/lifecycle.js';
import { describeDifference, observationDifferences, outcomeDifferences, stepDifferences } from '../src/observation.js';

const refused: ObservedOutcome = { accepted: false, reason: 'wrong-state', code: 6 };
const read: ObservedOutcome = { accepted: true, transitions: ['separated --host.read--> separated'], result: { kind: 'read', data: '0102' } };

describe('observation', () => {
  test('observation: a refusal is compared by its code alone; a name or message the port adds is not compared', () => {
    expect(outcomeDifferences(refused, { accepted: false, code: 6 })).toEqual([]);
    expect(outcomeDifferences(refused, { accepted: false, code: 6, reason: 'busy', message: 'not now' })).toEqual([]);
    expect(outcomeDifferences(refused, { accepted: false, code: 4, reason: 'wrong-state' })).toEqual([{ section: 'outcome', field: 'code', expected: 6, actual: 4 }]);
    expect(outcomeDifferences(refused, { accepted: true })).toEqual([{ section: 'outcome', field: 'accepted', expected: false, actual: true }]);
  });

  test('observation: an acceptance is compared field by field both ways, object keys in any order', () => {
    expect(outcomeDifferences(read, { result: { data: '0102', kind: 'read' }, transitions: ['separated --host.read--> separated'], accepted: true })).toEqual([]);
    expect(outcomeDifferences(read, { accepted: true, transitions: read['transitions'] })).toEqual([
      { section: 'outcome', field: 'result', expected: { kind: 'read', data: '0102' }, actual: undefined },
    ]);
    expect(outcomeDifferences({ accepted: true, transitions: [] }, { accepted: true, transitions: [], note: 'extra' })).toEqual([
      { section: 'outcome', field: 'note', expected: undefined, actual: 'extra' },
    ]);
  });

  test('observation: values are strict JSON: a number is not its string, order in an array counts', () => {
    expect(observationDifferences({ generation: 1, blocks: ['00', '01'] }, { generation: '1', blocks: ['01', '00'] }).map((d) => d.field)).toEqual(['generation', 'blocks']);
    expect(observationDifferences({ bitmap: '01' }, { bitmap: '01' })).toEqual([]);
  });

  test('observation: a step lists the outcome\'s differences first, and each reads as one line', () => {
    const differences = stepDifferences({ outcome: refused, observed: { state: 'separated' } }, { outcome: { accepted: false, code: 5 }, observed: {} });
    expect(differences.map(describeDifference)).toEqual(['outcome: code is 5, expected 6', 'observed: state is missing, expected "separated"']);
  });
});

describe('conform: protocol', () => {
  test('conform: protocol: an init answer names what is wrong with it', () => {
    expect(parseInitAnswer({ protocol: 'copyspec-conform-1', ready: true, observed: {} })).toEqual({ protocol: 'copyspec-conform-1', ready: true, observed: {} });
    expect(parseInitAnswer({ protocol: 'copyspec-conform-1', ready: false, reason: 'no e2' })).toMatchObject({ ready: false, reason: 'no e2' });
    expect(parseInitAnswer([1])).toBe('the answer to init is not a JSON object');
    expect(parseInitAnswer({ ready: true, observed: {} })).toBe('protocol is missing, expected "copyspec-conform-1"');
    expect(parseInitAnswer({ protocol: 'copyspec-conform-1', ready: 'yes' })).toBe('ready: expected true or false');
    expect(parseInitAnswer({ protocol: 'copyspec-conform-1', ready: true })).toMatch(/^observed: /);
    expect(parseInitAnswer({ protocol: 'copyspec-conform-1', ready: true, observed: {}, extra: 1 })).toMatch(/extra/);
    expect(parseInitAnswer({ step: 4, outcome: {}, observed: {} })).toMatch(/a command's answer \(step 4\)/);
  });

  test('conform: protocol: a command answer needs its step, an outcome with accepted, a refusal\'s code, and an observation', () => {
    expect(parseCommandAnswer({ step: 2, outcome: { accepted: false, code: 6 }, observed: { state: 'separated' } })).toMatchObject({ step: 2 });
    expect(parseCommandAnswer({ step: 2, outcome: { accepted: false, reason: 'wrong-state' }, observed: {} })).toMatch(/^outcome\.code: a refusal needs its numeric reason code/);
    expect(parseCommandAnswer({ step: 2, outcome: { code: 6 }, observed: {} })).toMatch(/^outcome\.accepted: /);
    expect(parseCommandAnswer({ outcome: { accepted: true }, observed: {} })).toMatch(/^step: /);
    expect(parseCommandAnswer({ step: 2, outcome: { accepted: true }, observed: [] })).toMatch(/^observed: /);
  });
});
