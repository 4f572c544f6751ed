/**
 * World layouts: how a lifecycle declares, once, the shape of its world in the harness's terms, so that the
 * exhaustive checker can store every world as a few fixed-width 32-bit words instead of an object graph and
 * a key string (issue 12 item 1; docs/lifecycles.md, "The world's layout").
 *
 * A layout is a tree of fields: whole numbers up to a maximum, one of a fixed list of values, bytes, hex
 * strings, flags and sets of small numbers, optional values, fixed arrays, lists up to a length, and
 * structures of named fields. Every field has a fixed width in bits, so every world of one search (one
 * variant, one preset) packs into the same number of words; a list shorter than its maximum and an absent
 * optional value leave their unused bits zero, so two worlds pack to equal words exactly when every field
 * holds the same value. The lifecycle gives the tree (`shape`), the world as a plain value of that tree
 * (`pack`) and the world rebuilt from one (`unpack`); everything else, bit widths, encoding, decoding and the
 * check that a value fits its field, is here, once, for every lifecycle.
 *
 * A value that does not fit its field (a byte of 300, a list longer than its maximum) is a broken internal
 * expectation, not a user error: the layout is wrong, or the preset is beyond the limits the layout was
 * written for. It throws a `LayoutError` naming the field's path.
 */
import { compileShape, get, HEX_DIGITS, put, type CompiledShape } from './layout-compiler.js';

export type Scalar = string | number | boolean | null;

export interface UintField { readonly kind: 'uint'; readonly max: number }
export interface BoolField { readonly kind: 'bool' }
export interface ChoiceField<V extends Scalar = Scalar> { readonly kind: 'choice'; readonly values: readonly V[] }
export interface BytesField { readonly kind: 'bytes'; readonly length: number }
export interface HexField { readonly kind: 'hex'; readonly maxBytes: number }
export interface FlagsField { readonly kind: 'flags'; readonly length: number }
export interface SetField { readonly kind: 'set'; readonly size: number }
export interface OptionalField<F extends Field = Field> { readonly kind: 'optional'; readonly of: F }
export interface ArrayField<F extends Field = Field> { readonly kind: 'array'; readonly length: number; readonly of: F }
export interface ListField<F extends Field = Field> { readonly kind: 'list'; readonly maxLength: number; readonly of: F }
export interface StructField<S extends Readonly<Record<string, Field>> = Readonly<Record<string, Field>>> { readonly kind: 'struct'; readonly fields: S }

export type Field =
  | UintField | BoolField | ChoiceField | BytesField | HexField | FlagsField | SetField
  | OptionalField | ArrayField | ListField | StructField;

/**
 * What `pack` may give for a field: arrays may be any array-like, sets any iterable of numbers. (A lookup by
 * kind rather than a chain of conditional types, which TypeScript gives up on a few levels deep.)
 */
interface PackableByKind<F> {
  uint: number;
  bool: boolean;
  choice: F extends ChoiceField<infer V> ? V : never;
  bytes: ArrayLike<number>;
  hex: string;
  flags: ArrayLike<boolean>;
  set: Iterable<number>;
  optional: F extends OptionalField<infer G> ? Packable<G> | null : never;
  array: F extends ArrayField<infer G> ? ArrayLike<Packable<G>> : never;
  list: F extends ListField<infer G> ? ArrayLike<Packable<G>> : never;
  struct: F extends StructField<infer S> ? { readonly [K in keyof S]: Packable<S[K]> } : never;
}
export type Packable<F extends Field> = PackableByKind<F>[F['kind']];

/** What `unpack` is given for a field: bytes as a new Uint8Array, sets as ascending number arrays. */
interface UnpackedByKind<F> {
  uint: number;
  bool: boolean;
  choice: F extends ChoiceField<infer V> ? V : never;
  bytes: Uint8Array;
  hex: string;
  flags: boolean[];
  set: number[];
  optional: F extends OptionalField<infer G> ? Unpacked<G> | null : never;
  array: F extends ArrayField<infer G> ? Unpacked<G>[] : never;
  list: F extends ListField<infer G> ? Unpacked<G>[] : never;
  struct: F extends StructField<infer S> ? { [K in keyof S]: Unpacked<S[K]> } : never;
}
export type Unpacked<F extends Field> = UnpackedByKind<F>[F['kind']];

/** The field constructors a layout is written with. */
export const field = {
  /** A whole number from 0 to `max`. */
  uint: (max: number): UintField => ({ kind: 'uint', max }),
  bool: (): BoolField => ({ kind: 'bool' }),
  /** One of `values`, compared with `===` (strings, numbers, booleans, null). */
  choice: <const V extends Scalar>(values: readonly V[]): ChoiceField<V> => ({ kind: 'choice', values }),
  /** Exactly `length` bytes (0-255). */
  bytes: (length: number): BytesField => ({ kind: 'bytes', length }),
  /** A lowercase hex string of at most `maxBytes` bytes. */
  hex: (maxBytes: number): HexField => ({ kind: 'hex', maxBytes }),
  /** Exactly `length` booleans: a bitmap held as an array of flags. */
  flags: (length: number): FlagsField => ({ kind: 'flags', length }),
  /** Distinct whole numbers below `size`, unpacked ascending: a bitmap held as its set bits. */
  set: (size: number): SetField => ({ kind: 'set', size }),
  /** A value of `of`, or null. */
  optional: <F extends Field>(of: F): OptionalField<F> => ({ kind: 'optional', of }),
  /** Exactly `length` values of `of`. */
  array: <F extends Field>(length: number, of: F): ArrayField<F> => ({ kind: 'array', length, of }),
  /** Up to `maxLength` values of `of`. */
  list: <F extends Field>(maxLength: number, of: F): ListField<F> => ({ kind: 'list', maxLength, of }),
  /** Named fields, packed in the order given. */
  struct: <S extends Readonly<Record<string, Field>>>(fields: S): StructField<S> => ({ kind: 'struct', fields }),
};

/**
 * What a lifecycle declares about its world (the optional `layout` member of its definition): the shape of
 * every world of a search, and the world as a plain value of that shape and back.
 */
export interface WorldLayout<W, P> {
  /** The shape of every world of the variant's search over the preset. */
  shape(variant: string, preset: P): Field;
  /** The world as a plain value of `shape`: two worlds give equal values exactly when their keys are equal. */
  pack(world: W): unknown;
  /**
   * Optional: what the key leaves out but the world needs to be rebuilt exactly, such as the content and the
   * place on a link of a message the key writes without them. It is packed after `shape`'s words and stored
   * with the state, never compared or hashed: a state keeps what the first world that reached it carried, as
   * a search by key keeps that world itself, so alphabet indices recorded in the search name the same
   * commands in the world a counterexample's replay reaches.
   */
  readonly carried?: {
    shape(variant: string, preset: P): Field;
    pack(world: W): unknown;
    /** The carried value alone rebuilds the world: `unpack` is given null for the compared value. */
    readonly whole?: boolean;
  };
  /**
   * A world that behaves as every world that packs to `value` does: its key equals theirs. With `carried`,
   * the world that packed to `value` and `carried` exactly.
   */
  unpack(value: never, variant: string, preset: P, carried: never): W;
}

/**
 * A typed layout: `pack` and `unpack` are checked against the shape's type. The shape's type is that of what
 * `shape` returns, whatever the preset (a preset changes lengths, not kinds); likewise `carried`'s.
 */
export function defineLayout<W, P, F extends Field, C extends Field = never>(layout: {
  shape(variant: string, preset: P): F;
  pack(world: W): NoInfer<Packable<F>>;
  carried?: { shape(variant: string, preset: P): C; pack(world: W): NoInfer<Packable<C>>; whole?: boolean };
  unpack(value: NoInfer<Unpacked<F>>, variant: string, preset: P, carried: NoInfer<Unpacked<C>>): W;
}): WorldLayout<W, P> {
  return layout as unknown as WorldLayout<W, P>;
}

/** A value that does not fit its field: the layout is wrong, or the preset is beyond its limits. */
export class LayoutError extends Error {
  constructor(readonly path: string, readonly problem: string) {
    super(`world layout: ${path || 'the world'}: ${problem}`);
  }
}

/** Appends bits to zeroed 32-bit words, least significant first. */
export class BitWriter {
  words: Uint32Array = new Uint32Array(0);
  position = 0;

  /** Writes `value` (below 2^bits, bits at most 32). */
  write(value: number, bits: number): void {
    this.position = put(this.words, this.position, value, bits);
  }
}

export class BitReader {
  words: Uint32Array = new Uint32Array(0);
  position = 0;

  read(bits: number): number {
    const value = get(this.words, this.position, bits);
    this.position += bits;
    return value;
  }
}

/** Bits that hold every whole number from 0 to `max`. */
export function bitsFor(max: number): number {
  let bits = 0;
  while (bits < 53 && 2 ** bits <= max) bits += 1;
  return bits;
}

interface Codec {
  readonly bits: number;
  encode(value: unknown, out: BitWriter): void;
  decode(input: BitReader): unknown;
}

function fail(problem: string): never {
  throw new LayoutError('', problem);
}

/** `error` again, with `segment` in front of its path when it is a LayoutError. (No closure: encoding is hot.) */
function under(segment: string, error: unknown): never {
  if (error instanceof LayoutError) throw new LayoutError(segment + (error.path.startsWith('[') || error.path === '' ? '' : '.') + error.path, error.problem);
  throw error;
}

function uintCodec(max: number): Codec {
  const bits = bitsFor(max);
  if (bits > 32) fail(`a uint up to ${max} needs more than 32 bits`);
  return {
    bits,
    encode(value, out) {
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max) fail(`${String(value)} is not a whole number from 0 to ${max}`);
      out.write(value, bits);
    },
    decode: (input) => input.read(bits),
  };
}

function choiceCodec(values: readonly Scalar[]): Codec {
  const bits = bitsFor(values.length - 1);
  if (values.length === 0) fail('a choice of no values');
  return {
    bits,
    encode(value, out) {
      const index = values.indexOf(value as Scalar);
      if (index === -1) fail(`${JSON.stringify(value)} is not one of ${JSON.stringify(values)}`);
      out.write(index, bits);
    },
    decode(input) {
      // Not `values[index] ?? fail(...)`: null is a value a choice may hold.
      const index = input.read(bits);
      if (index >= values.length) fail('a choice index past its values');
      return values[index];
    },
  };
}

function bytesCodec(length: number): Codec {
  return {
    bits: 8 * length,
    encode(value, out) {
      const bytes = value as ArrayLike<number>;
      if (bytes === null || typeof bytes !== 'object' || bytes.length !== length) fail(`expected ${length} bytes`);
      for (let i = 0; i < length; i += 1) {
        const byte = bytes[i]!;
        if (!(byte >= 0 && byte <= 255 && Number.isInteger(byte))) fail(`byte ${i} is ${String(byte)}`);
        out.write(byte, 8);
      }
    },
    decode(input) {
      const bytes = new Uint8Array(length);
      for (let i = 0; i < length; i += 1) bytes[i] = input.read(8);
      return bytes;
    },
  };
}

function hexCodec(maxBytes: number): Codec {
  const lengthBits = bitsFor(maxBytes);
  return {
    bits: lengthBits + 8 * maxBytes,
    encode(value, out) {
      if (typeof value !== 'string' || value.length % 2 !== 0 || value.length > 2 * maxBytes || !/^[0-9a-f]*$/.test(value)) {
        fail(`${JSON.stringify(value)} is not lowercase hex of at most ${maxBytes} bytes`);
      }
      out.write(value.length / 2, lengthBits);
      for (let i = 0; i < value.length; i += 2) out.write(parseInt(value.slice(i, i + 2), 16), 8);
      out.position += 8 * (maxBytes - value.length / 2);
    },
    decode(input) {
      const length = input.read(lengthBits);
      let text = '';
      for (let i = 0; i < length; i += 1) {
        const byte = input.read(8);
        text += HEX_DIGITS[byte >>> 4]! + HEX_DIGITS[byte & 15]!;
      }
      input.position += 8 * (maxBytes - length);
      return text;
    },
  };
}

function flagsCodec(length: number): Codec {
  return {
    bits: length,
    encode(value, out) {
      const flags = value as ArrayLike<boolean>;
      if (flags === null || typeof flags !== 'object' || flags.length !== length) fail(`expected ${length} flags`);
      for (let i = 0; i < length; i += 1) {
        if (typeof flags[i] !== 'boolean') fail(`flag ${i} is ${String(flags[i])}`);
        out.write(flags[i] ? 1 : 0, 1);
      }
    },
    decode(input) {
      const flags = new Array<boolean>(length);
      for (let i = 0; i < length; i += 1) flags[i] = input.read(1) === 1;
      return flags;
    },
  };
}

function setCodec(size: number): Codec {
  return {
    bits: size,
    encode(value, out) {
      const start = out.position;
      const members = Array.isArray(value) ? value as readonly number[] : [...(value as Iterable<number>)];
      for (const member of members) {
        if (!(Number.isInteger(member) && member >= 0 && member < size)) fail(`${String(member)} is not below ${size}`);
        const at = start + member;
        const word = at >>> 5;
        if ((out.words[word]! >>> (at & 31)) & 1) fail(`${member} is in the set twice`);
        out.words[word] = (out.words[word]! | (1 << (at & 31))) >>> 0;
      }
      out.position = start + size;
    },
    decode(input) {
      const members: number[] = [];
      for (let i = 0; i < size; i += 1) if (input.read(1) === 1) members.push(i);
      return members;
    },
  };
}

function optionalCodec(of: Codec): Codec {
  return {
    bits: 1 + of.bits,
    encode(value, out) {
      if (value === null || value === undefined) {
        out.write(0, 1);
        out.position += of.bits;
        return;
      }
      out.write(1, 1);
      of.encode(value, out);
    },
    decode(input) {
      if (input.read(1) === 0) {
        input.position += of.bits;
        return null;
      }
      return of.decode(input);
    },
  };
}

function arrayCodec(length: number, of: Codec): Codec {
  return {
    bits: length * of.bits,
    encode(value, out) {
      const items = value as ArrayLike<unknown>;
      if (items === null || typeof items !== 'object' || items.length !== length) fail(`expected ${length} items, got ${(items as { length?: number } | null)?.length}`);
      for (let i = 0; i < length; i += 1) {
        try {
          of.encode(items[i], out);
        } catch (error) {
          under(`[${i}]`, error);
        }
      }
    },
    decode(input) {
      const items = new Array<unknown>(length);
      for (let i = 0; i < length; i += 1) items[i] = of.decode(input);
      return items;
    },
  };
}

function listCodec(maxLength: number, of: Codec): Codec {
  const lengthBits = bitsFor(maxLength);
  return {
    bits: lengthBits + maxLength * of.bits,
    encode(value, out) {
      const items = value as ArrayLike<unknown>;
      if (items === null || typeof items !== 'object' || !(items.length <= maxLength)) fail(`expected at most ${maxLength} items, got ${(items as { length?: number } | null)?.length}`);
      out.write(items.length, lengthBits);
      for (let i = 0; i < items.length; i += 1) {
        try {
          of.encode(items[i], out);
        } catch (error) {
          under(`[${i}]`, error);
        }
      }
      out.position += (maxLength - items.length) * of.bits;
    },
    decode(input) {
      const length = input.read(lengthBits);
      const items = new Array<unknown>(length);
      for (let i = 0; i < length; i += 1) items[i] = of.decode(input);
      input.position += (maxLength - length) * of.bits;
      return items;
    },
  };
}

function structCodec(fields: Readonly<Record<string, Field>>): Codec {
  const entries = Object.entries(fields).map(([name, child]) => {
    try {
      return [name, codecOf(child)] as const;
    } catch (error) {
      return under(name, error);
    }
  });
  return {
    bits: entries.reduce((sum, [, codec]) => sum + codec.bits, 0),
    encode(value, out) {
      if (value === null || typeof value !== 'object') fail(`expected an object, got ${String(value)}`);
      const record = value as Readonly<Record<string, unknown>>;
      for (let i = 0; i < entries.length; i += 1) {
        const [name, codec] = entries[i]!;
        try {
          codec.encode(record[name], out);
        } catch (error) {
          under(name, error);
        }
      }
    },
    decode(input) {
      const record: Record<string, unknown> = {};
      for (let i = 0; i < entries.length; i += 1) record[entries[i]![0]] = entries[i]![1].decode(input);
      return record;
    },
  };
}

function codecOf(shape: Field): Codec {
  switch (shape.kind) {
    case 'uint': return uintCodec(shape.max);
    case 'bool': return choiceCodec([false, true]);
    case 'choice': return choiceCodec(shape.values);
    case 'bytes': return bytesCodec(shape.length);
    case 'hex': return hexCodec(shape.maxBytes);
    case 'flags': return flagsCodec(shape.length);
    case 'set': return setCodec(shape.size);
    case 'optional': return optionalCodec(codecOf(shape.of));
    case 'array': return arrayCodec(shape.length, codecOf(shape.of));
    case 'list': return listCodec(shape.maxLength, codecOf(shape.of));
    case 'struct': return structCodec(shape.fields);
    default: return fail(`unknown field kind ${(shape as { kind: string }).kind}`);
  }
}

/** The words the field codecs, the reference, pack `value` of `shape` into: what the compiled code must match. */
export function packByReference(shape: Field, value: unknown): Uint32Array {
  const codec = codecOf(shape);
  const writer = new BitWriter();
  writer.words = new Uint32Array(Math.max(1, Math.ceil(codec.bits / 32)));
  codec.encode(value, writer);
  return writer.words;
}

/**
 * A compiled layout for one search: every world of it as `words` 32-bit words, of which the first `keyWords`
 * identify its state (the rest are the layout's `carried` words). `encode` writes into a caller's buffer (no
 * allocation but the lifecycle's `pack` values); `decode` rebuilds a world.
 */
export class Packer<W> {
  readonly words: number;
  readonly keyWords: number;
  readonly bits: number;
  /** The reference codecs, which name the field of a value that does not fit. */
  private readonly codec: Codec;
  private readonly carriedCodec: Codec | null;
  /** The same shapes compiled (src/harness/layout-compiler.ts): what packs and rebuilds. */
  private readonly compiled: CompiledShape;
  private readonly compiledCarried: CompiledShape | null;
  private readonly writer = new BitWriter();

  constructor(
    private readonly layout: WorldLayout<W, unknown>,
    private readonly variant: string,
    private readonly preset: unknown,
  ) {
    const shape = layout.shape(variant, preset);
    this.codec = codecOf(shape);
    const carriedShape = layout.carried === undefined ? null : layout.carried.shape(variant, preset);
    this.carriedCodec = carriedShape === null ? null : codecOf(carriedShape);
    const bitsOf = (field: Field): number => codecOf(field).bits;
    const pastValues = (): never => fail('a choice index past its values');
    this.compiled = compileShape(shape, bitsOf, pastValues);
    this.compiledCarried = carriedShape === null ? null : compileShape(carriedShape, bitsOf, pastValues);
    this.bits = this.codec.bits;
    this.keyWords = Math.max(1, Math.ceil(this.bits / 32));
    this.words = this.keyWords + (this.carriedCodec === null ? 0 : Math.ceil(this.carriedCodec.bits / 32));
  }

  /** Packs `world` into `into[offset .. offset + words)`, which this zeroes first. */
  encode(world: W, into: Uint32Array, offset = 0): void {
    this.encodeKey(world, into, offset);
    this.encodeCarried(world, into, offset);
  }

  /**
   * Packs only the words that identify `world`'s state, `into[offset .. offset + keyWords)`, which this
   * zeroes first. A search looks every world up by these and needs the carried words only of a world it
   * stores: most worlds a step makes are known already (about nine in ten in the minimal searches).
   */
  encodeKey(world: W, into: Uint32Array, offset = 0): void {
    into.fill(0, offset, offset + this.keyWords);
    this.pack(this.compiled, this.codec, this.layout.pack(world), into, offset * 32);
  }

  /** Packs the carried words of `world`, `into[offset + keyWords .. offset + words)`; none without `carried`. */
  encodeCarried(world: W, into: Uint32Array, offset = 0): void {
    if (this.carriedCodec === null) return;
    into.fill(0, offset + this.keyWords, offset + this.words);
    this.pack(this.compiledCarried!, this.carriedCodec, this.layout.carried!.pack(world), into, (offset + this.keyWords) * 32);
  }

  /** Packs `value` compiled; a value that does not fit is packed again by the reference codec, which names its field. */
  private pack(compiled: CompiledShape, codec: Codec, value: unknown, into: Uint32Array, position: number): void {
    try {
      compiled.encode(value, into, position);
    } catch (error) {
      // Into zeroed words: the compiled code wrote some of the value, which a set's check would read back.
      this.writer.words = new Uint32Array(into.length);
      this.writer.position = position;
      codec.encode(value, this.writer);
      throw error; // the compiled code refused what the reference packs: a bug of the compiler, not of the layout
    }
  }

  /** The world packed at `from[offset .. offset + words)`. */
  decode(from: Uint32Array, offset = 0): W {
    // A layout whose carried value is the whole world rebuilds from it alone: its key words are not read.
    const value = this.layout.carried?.whole === true ? null : this.compiled.decode(from, offset * 32);
    const carried = this.compiledCarried === null ? null : this.compiledCarried.decode(from, (offset + this.keyWords) * 32);
    return (this.layout.unpack as (value: unknown, variant: string, preset: unknown, carried: unknown) => W)(value, this.variant, this.preset, carried);
  }
}
