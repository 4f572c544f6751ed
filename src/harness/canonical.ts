/**
 * Canonical JSON: one string per value, equal for two values exactly when they hold the same data. It is the
 * default world key of a lifecycle (src/harness/define.ts) and the hash input of vector files.
 *
 * Object keys are sorted, so two worlds built by different code paths (fields in another order) get the same
 * key. Typed arrays are written as tagged lowercase hex (`u8:0102`), so that no byte array is ever equal to a
 * string or a number array. A value with `toJSON` (a bitmap) is written as what `toJSON` returns. `undefined`
 * fields are left out, as JSON.stringify leaves them out. Anything JSON cannot hold faithfully (a Map, a Set,
 * a function, a bigint, a non-finite number) is a broken internal expectation: STYLE.md keeps world state to
 * readonly, JSON-faithful data, and a key that silently merged two worlds would hide states from the search.
 */
import { assert } from '../assert.js';

function hexOf(bytes: ArrayLike<number>, width: number): string {
  let text = '';
  for (let i = 0; i < bytes.length; i += 1) text += bytes[i]!.toString(16).padStart(width, '0');
  return text;
}

function typedArray(value: ArrayBufferView): string | null {
  if (value instanceof Uint8Array) return `"u8:${hexOf(value, 2)}"`;
  if (value instanceof Uint16Array) return `"u16:${hexOf(value, 4)}"`;
  if (value instanceof Uint32Array) return `"u32:${hexOf(value, 8)}"`;
  return null;
}

function write(value: unknown, path: string, parts: string[]): void {
  switch (typeof value) {
    case 'string':
      parts.push(JSON.stringify(value));
      return;
    case 'number':
      assert(Number.isFinite(value), () => `canonical JSON: ${path} is ${value}`);
      parts.push(String(value));
      return;
    case 'boolean':
      parts.push(value ? 'true' : 'false');
      return;
    case 'object':
      if (value === null) {
        parts.push('null');
        return;
      }
      writeObject(value, path, parts);
      return;
    default:
      throw new Error(`canonical JSON: ${path} is a ${typeof value}, which JSON cannot hold`);
  }
}

function writeObject(value: object, path: string, parts: string[]): void {
  if (ArrayBuffer.isView(value)) {
    const text = typedArray(value);
    assert(text !== null, () => `canonical JSON: ${path} is a ${value.constructor.name}`);
    parts.push(text);
    return;
  }
  if (Array.isArray(value)) {
    parts.push('[');
    value.forEach((item: unknown, index) => {
      if (index > 0) parts.push(',');
      write(item === undefined ? null : item, `${path}[${index}]`, parts);
    });
    parts.push(']');
    return;
  }
  assert(!(value instanceof Map) && !(value instanceof Set), () => `canonical JSON: ${path} is a ${value.constructor.name}; use arrays`);
  const withJson = value as { toJSON?: () => unknown };
  if (typeof withJson.toJSON === 'function') {
    write(withJson.toJSON(), path, parts);
    return;
  }
  const keys = Object.keys(value).filter((key) => (value as Record<string, unknown>)[key] !== undefined).sort();
  parts.push('{');
  keys.forEach((key, index) => {
    if (index > 0) parts.push(',');
    parts.push(JSON.stringify(key), ':');
    write((value as Record<string, unknown>)[key], `${path}.${key}`, parts);
  });
  parts.push('}');
}

/** The canonical JSON text of `value`. */
export function canonicalJson(value: unknown): string {
  const parts: string[] = [];
  write(value, '$', parts);
  return parts.join('');
}
