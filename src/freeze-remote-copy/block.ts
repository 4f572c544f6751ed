/**
 * How freeze-remote-copy's controllers hold a block's contents: one protocol, two representations.
 *
 *   hex     lowercase hexadecimal text, two digits a byte: the verifier's worlds, scenario files, traces and
 *           vectors (docs/vectors.md), whose blocks are one or two bytes and whose keys and observations are
 *           text;
 *   binary  a Uint8Array of the block's bytes: the workload driver (src/freeze-remote-copy/workload.ts),
 *           whose blocks are kilobytes that no step should turn into text or touch a byte at a time.
 *
 * The controllers (controller.ts, log.ts, split.ts, wire.ts, crypto.ts) only store, move and compare
 * blocks; the few things that depend on the representation are here, and each decides by the block it is
 * given, so one system never mixes the two (every block in it comes from a command or from `zeroBlock` of
 * the representation it was started with). A binary block is never changed once made: the controllers put
 * new blocks in place of old ones, so systems and messages share them freely.
 */
import { assert } from '../assert.js';
import { isHex } from '../hex.js';

export type Block = string | Uint8Array;

export type BlockRepresentation = 'hex' | 'binary';

/** Two texts by their characters' codes; every text compared here is ASCII (names and lowercase hex). */
export const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Two blocks in the order of their hex text by character code. Lowercase hex digits sort as the values they
 * stand for, two a byte, so that order is the bytes' lexicographic order, which Buffer.compare gives.
 */
export function compareBlocks(a: Block, b: Block): number {
  if (typeof a === 'string' && typeof b === 'string') return compareText(a, b);
  assert(typeof a !== 'string' && typeof b !== 'string', 'a hex block compared with a binary one');
  return Buffer.compare(a, b);
}

/** The bytes a block holds; a hex block's text must be well formed (`wellFormedBlock`). */
export const blockBytes = (block: Block): number => (typeof block === 'string' ? block.length / 2 : block.byteLength);

/** Whether a command's data is a block at all: lowercase hex text of whole bytes, or bytes. */
export const wellFormedBlock = (data: unknown): boolean => (typeof data === 'string' ? isHex(data) : data instanceof Uint8Array);

/** The first `bytes` bytes of a block, in its own representation. */
export const leadingBytes = (block: Block, bytes: number): Block => (typeof block === 'string' ? block.slice(0, 2 * bytes) : block.subarray(0, bytes));

const zeroBinary = new Map<number, Uint8Array>();

/** The block of `blockSize` zero bytes; a binary one is shared, as every binary block may be. */
export function zeroBlock(representation: BlockRepresentation, blockSize: number): Block {
  if (representation === 'hex') return '00'.repeat(blockSize);
  let zero = zeroBinary.get(blockSize);
  if (zero === undefined) {
    zero = new Uint8Array(blockSize);
    zeroBinary.set(blockSize, zero);
  }
  return zero;
}

/**
 * A block of the same size and representation as `like` whose every byte is `byte`: what a silent corruption
 * (`block.corrupt`, events.ts CORRUPT_BYTE) leaves in the secondary's committed image.
 */
export function filledLike(like: Block, byte: number): Block {
  if (typeof like === 'string') return byte.toString(16).padStart(2, '0').repeat(like.length / 2);
  return new Uint8Array(like.byteLength).fill(byte);
}
