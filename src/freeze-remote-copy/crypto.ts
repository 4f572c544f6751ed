/**
 * E4 (seed 001 【0176】-【0184】, claim 15): data is encrypted while it is copied from PP to PS (L210, 3440,
 * 3650), travels and rests as ciphertext in PS and SP, and is decrypted while it is copied from SP to SS
 * (P250, 4030). The seed names no cipher; copyspec uses AES-256-GCM from node:crypto, an authenticated
 * cipher, so that plaintext stored where ciphertext belongs is detected (it does not authenticate).
 *
 * A sealed block is IV (12 bytes) | ciphertext | tag (16 bytes), as hex text or as bytes, in the
 * representation of the plaintext (src/freeze-remote-copy/block.ts). The IV is the generation and the
 * group block: E2's split writes PS[b] at most once per freeze (A[b] is cleared by the copy, 3450/3660), so
 * an IV is never reused with one key. The key is fixed: this is a specification, not a key-management design.
 * Sealing is deterministic and memoized, so equal worlds stay equal and the search stays fast: hex blocks by
 * their text, binary blocks by the block itself (a WeakMap: the workload's blocks are many and large, and a
 * block no system holds any more is forgotten with its plaintext).
 */
import { createCipheriv, createDecipheriv, createHash } from 'node:crypto';
import { fromHex, toHex } from '../hex.js';
import type { Block } from './block.js';

const KEY = createHash('sha256').update('copyspec seed 001 embodiment 4 demonstration key').digest();
const IV_BYTES = 12;
const TAG_BYTES = 16;

const sealed = new Map<string, string>();
const opened = new Map<string, string | null>();
const openedBinary = new WeakMap<Uint8Array, Uint8Array | null>();

function iv(gen: number, block: number): Buffer {
  const bytes = Buffer.alloc(IV_BYTES);
  bytes.writeUInt32BE(gen, 0);
  bytes.writeUInt32BE(block, 4);
  return bytes;
}

/** IV | ciphertext | tag of the plaintext's bytes. */
function sealBytes(plaintext: Uint8Array, gen: number, block: number): Buffer {
  const nonce = iv(gen, block);
  const cipher = createCipheriv('aes-256-gcm', KEY, nonce);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([nonce, body, cipher.getAuthTag()]);
}

/** The plaintext of IV | ciphertext | tag; null when it does not authenticate under the key. */
function openBytes(bytes: Uint8Array): Buffer | null {
  if (bytes.length <= IV_BYTES + TAG_BYTES) return null;
  try {
    const decipher = createDecipheriv('aes-256-gcm', KEY, bytes.subarray(0, IV_BYTES));
    decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
    return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)), decipher.final()]);
  } catch {
    return null;
  }
}

/** Encrypts one block's plaintext for generation `gen`; returns the sealed block in the plaintext's representation. */
export function seal<B extends Block>(plaintext: B, gen: number, block: number): B;
export function seal(plaintext: Block, gen: number, block: number): Block {
  if (typeof plaintext !== 'string') {
    const bytes = sealBytes(plaintext, gen, block);
    const sealedBlock = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    openedBinary.set(sealedBlock, plaintext);
    return sealedBlock;
  }
  const memo = `${gen}/${block}/${plaintext}`;
  const known = sealed.get(memo);
  if (known !== undefined) return known;
  const text = toHex(sealBytes(fromHex(plaintext), gen, block));
  sealed.set(memo, text);
  opened.set(text, plaintext);
  return text;
}

/** Decrypts a sealed block; null when it is not an authentic ciphertext under the key (for example plaintext). */
export function open<B extends Block>(sealedBlock: B): B | null;
export function open(sealedBlock: Block): Block | null {
  if (typeof sealedBlock !== 'string') {
    const known = openedBinary.get(sealedBlock);
    if (known !== undefined) return known;
    const bytes = openBytes(sealedBlock);
    const plaintext = bytes === null ? null : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    openedBinary.set(sealedBlock, plaintext);
    return plaintext;
  }
  const known = opened.get(sealedBlock);
  if (known !== undefined) return known;
  const bytes = openBytes(fromHex(sealedBlock));
  const plaintext = bytes === null ? null : toHex(bytes);
  opened.set(sealedBlock, plaintext);
  return plaintext;
}
