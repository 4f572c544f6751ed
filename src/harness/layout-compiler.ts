/**
 * A world layout's shape compiled to straight-line JavaScript (issue 12: the exhaustive checker packs every
 * world a step makes, so this is its hottest code): one generated function that packs a value of the shape
 * and one that rebuilds it, with every field's bit width a constant, every record an object literal and no
 * call per field. They do what the field codecs of src/harness/layout.ts do, bit for bit; those stay the
 * reference, and the Packer uses them to name the field of a value that does not fit (the compiled encoder
 * only says that something did not: `Misfit`). test/harness/layout.test.ts packs every field kind both ways.
 *
 * The generated code sees the shape's numbers only as literals it was written with, its choices' values and
 * a field's names only through a constants array and JSON string literals, so no text of a layout is ever
 * run as code.
 */
import type { Field } from './layout.js';

/** A value that does not fit its field, found by compiled code; the reference codec says which field. */
class Misfit extends Error {}

/** Writes `value` (below 2^bits, bits at most 32) at bit `position` of zeroed words; the next position. */
export function put(words: Uint32Array, position: number, value: number, bits: number): number {
  if (bits === 0) return position;
  const word = position >>> 5;
  const offset = position & 31;
  words[word] = (words[word]! | (value << offset)) >>> 0;
  if (offset + bits > 32) words[word + 1] = (words[word + 1]! | (value >>> (32 - offset))) >>> 0;
  return position + bits;
}

/** The `bits`-bit number at bit `position` of `words`. */
export function get(words: Uint32Array, position: number, bits: number): number {
  if (bits === 0) return 0;
  const word = position >>> 5;
  const offset = position & 31;
  let value = words[word]! >>> offset;
  if (offset + bits > 32) value |= words[word + 1]! << (32 - offset);
  return bits === 32 ? value >>> 0 : value & ((1 << bits) - 1);
}

function misfit(): never {
  throw new Misfit('a value does not fit its field');
}

const HEX = /^[0-9a-f]*$/;
export const HEX_DIGITS = '0123456789abcdef';

export interface CompiledShape {
  /** Packs `value` into zeroed `words` from bit `position`; throws `Misfit` (or any error) if it does not fit. */
  encode(value: unknown, words: Uint32Array, position: number): void;
  /** The value packed in `words` from bit `position`. */
  decode(words: Uint32Array, position: number): unknown;
}

/**
 * Compiles `shape`, whose fields' widths `bitsOf` gives (the reference codecs' widths); `pastValues` is what
 * rebuilding a choice whose index is past its values throws (the words were not packed by this layout).
 */
export function compileShape(shape: Field, bitsOf: (field: Field) => number, pastValues: () => never): CompiledShape {
  const constants: unknown[] = [];
  const constant = (value: unknown): string => {
    constants.push(value);
    return `K[${constants.length - 1}]`;
  };
  let names = 0;
  const fresh = (stem: string): string => `${stem}${(names += 1)}`;

  /** Statements that pack the value `at` (an expression read once) and advance `p`. */
  function encode(field: Field, at: string): string {
    const x = fresh('x');
    const i = fresh('i');
    switch (field.kind) {
      case 'uint':
        return `{ const ${x} = ${at}; if (typeof ${x} !== 'number' || !Number.isInteger(${x}) || ${x} < 0 || ${x} > ${field.max}) bad(); p = put(W, p, ${x}, ${bitsOf(field)}); }`;
      case 'bool':
        return `{ const ${x} = ${at}; if (${x} === true) p = put(W, p, 1, 1); else if (${x} === false) p += 1; else bad(); }`;
      case 'choice':
        return `{ const ${x} = ${constant(field.values)}.indexOf(${at}); if (${x} === -1) bad(); p = put(W, p, ${x}, ${bitsOf(field)}); }`;
      case 'bytes':
        return `{ const ${x} = ${at}; if (${x} === null || typeof ${x} !== 'object' || ${x}.length !== ${field.length}) bad();
          for (let ${i} = 0; ${i} < ${field.length}; ${i} += 1) { const y = ${x}[${i}]; if (!(y >= 0 && y <= 255 && Number.isInteger(y))) bad(); p = put(W, p, y, 8); } }`;
      case 'hex': {
        const lengthBits = bitsOf(field) - 8 * field.maxBytes;
        return `{ const ${x} = ${at}; if (typeof ${x} !== 'string' || ${x}.length % 2 !== 0 || ${x}.length > ${2 * field.maxBytes} || !HEX.test(${x})) bad();
          p = put(W, p, ${x}.length / 2, ${lengthBits}); for (let ${i} = 0; ${i} < ${x}.length; ${i} += 2) p = put(W, p, parseInt(${x}.slice(${i}, ${i} + 2), 16), 8);
          p += 8 * (${field.maxBytes} - ${x}.length / 2); }`;
      }
      case 'flags':
        return `{ const ${x} = ${at}; if (${x} === null || typeof ${x} !== 'object' || ${x}.length !== ${field.length}) bad();
          for (let ${i} = 0; ${i} < ${field.length}; ${i} += 1) { const y = ${x}[${i}]; if (y === true) p = put(W, p, 1, 1); else if (y === false) p += 1; else bad(); } }`;
      case 'set':
        return `{ const start = p; const ${x} = ${at}; const members = Array.isArray(${x}) ? ${x} : [...${x}];
          for (const m of members) { if (!(Number.isInteger(m) && m >= 0 && m < ${field.size})) bad(); const b = start + m; const w = b >>> 5;
            if ((W[w] >>> (b & 31)) & 1) bad(); W[w] = (W[w] | (1 << (b & 31))) >>> 0; }
          p = start + ${field.size}; }`;
      case 'optional':
        return `{ const ${x} = ${at}; if (${x} === null || ${x} === undefined) p += ${1 + bitsOf(field.of)}; else { p = put(W, p, 1, 1); ${encode(field.of, x)} } }`;
      case 'array':
        return `{ const ${x} = ${at}; if (${x} === null || typeof ${x} !== 'object' || ${x}.length !== ${field.length}) bad();
          for (let ${i} = 0; ${i} < ${field.length}; ${i} += 1) ${encode(field.of, `${x}[${i}]`)} }`;
      case 'list': {
        const lengthBits = bitsOf(field) - field.maxLength * bitsOf(field.of);
        return `{ const ${x} = ${at}; if (${x} === null || typeof ${x} !== 'object' || !(${x}.length <= ${field.maxLength})) bad();
          p = put(W, p, ${x}.length, ${lengthBits}); for (let ${i} = 0; ${i} < ${x}.length; ${i} += 1) ${encode(field.of, `${x}[${i}]`)}
          p += (${field.maxLength} - ${x}.length) * ${bitsOf(field.of)}; }`;
      }
      case 'struct':
        return `{ const ${x} = ${at}; if (${x} === null || typeof ${x} !== 'object') bad();
          ${Object.entries(field.fields).map(([name, child]) => encode(child, `${x}[${JSON.stringify(name)}]`)).join('\n')} }`;
    }
  }

  /** Statements that set the variable `to` to the value packed at `p` and advance `p`. */
  function decode(field: Field, to: string): string {
    const x = fresh('x');
    const i = fresh('i');
    const n = fresh('n');
    switch (field.kind) {
      case 'uint': {
        const bits = bitsOf(field);
        return `${to} = get(W, p, ${bits}); p += ${bits};`;
      }
      case 'bool':
        return `${to} = get(W, p, 1) === 1; p += 1;`;
      case 'choice': {
        const bits = bitsOf(field);
        const values = constant(field.values);
        return `{ const ${x} = get(W, p, ${bits}); p += ${bits}; if (${x} >= ${values}.length) pastValues(); ${to} = ${values}[${x}]; }`;
      }
      case 'bytes':
        return `{ const ${x} = new Uint8Array(${field.length}); for (let ${i} = 0; ${i} < ${field.length}; ${i} += 1) { ${x}[${i}] = get(W, p, 8); p += 8; } ${to} = ${x}; }`;
      case 'hex': {
        const lengthBits = bitsOf(field) - 8 * field.maxBytes;
        return `{ const ${n} = get(W, p, ${lengthBits}); p += ${lengthBits}; let ${x} = '';
          for (let ${i} = 0; ${i} < ${n}; ${i} += 1) { const y = get(W, p, 8); p += 8; ${x} += DIGITS[y >>> 4] + DIGITS[y & 15]; }
          p += 8 * (${field.maxBytes} - ${n}); ${to} = ${x}; }`;
      }
      case 'flags':
        return `{ const ${x} = []; for (let ${i} = 0; ${i} < ${field.length}; ${i} += 1) { ${x}.push(get(W, p, 1) === 1); p += 1; } ${to} = ${x}; }`;
      case 'set':
        return `{ const ${x} = []; for (let ${i} = 0; ${i} < ${field.size}; ${i} += 1) { if (get(W, p, 1) === 1) ${x}.push(${i}); p += 1; } ${to} = ${x}; }`;
      case 'optional':
        return `if (get(W, p, 1) === 0) { p += ${1 + bitsOf(field.of)}; ${to} = null; } else { p += 1; ${decode(field.of, to)} }`;
      case 'array': {
        const e = fresh('e');
        return `{ const ${x} = []; for (let ${i} = 0; ${i} < ${field.length}; ${i} += 1) { let ${e}; ${decode(field.of, e)} ${x}.push(${e}); } ${to} = ${x}; }`;
      }
      case 'list': {
        const e = fresh('e');
        const lengthBits = bitsOf(field) - field.maxLength * bitsOf(field.of);
        return `{ const ${n} = get(W, p, ${lengthBits}); p += ${lengthBits}; const ${x} = [];
          for (let ${i} = 0; ${i} < ${n}; ${i} += 1) { let ${e}; ${decode(field.of, e)} ${x}.push(${e}); }
          p += (${field.maxLength} - ${n}) * ${bitsOf(field.of)}; ${to} = ${x}; }`;
      }
      case 'struct': {
        const entries = Object.entries(field.fields).map(([name, child]) => ({ name, child, variable: fresh('f') }));
        return `{ ${entries.map((f) => `let ${f.variable};`).join(' ')}
          ${entries.map((f) => decode(f.child, f.variable)).join('\n')}
          ${to} = { ${entries.map((f) => `${JSON.stringify(f.name)}: ${f.variable}`).join(', ')} }; }`;
      }
    }
  }

  const encodeBody = `return function encode(value, W, p) { ${encode(shape, 'value')} };`;
  const decodeBody = `return function decode(W, p) { let result; ${decode(shape, 'result')} return result; };`;
  const make = (body: string): unknown => new Function('K', 'put', 'get', 'bad', 'pastValues', 'HEX', 'DIGITS', body)(
    constants, put, get, misfit, pastValues, HEX, HEX_DIGITS);
  return { encode: make(encodeBody) as CompiledShape['encode'], decode: make(decodeBody) as CompiledShape['decode'] };
}
