/**
 * E4 (seed 001 【0176】-【0184】, claim 15): data is encrypted while it is copied from PP to PS (L210, 3440,
 * 3650), travels and rests as ciphertext in PS and SP, and is decrypted while it is copied from SP to SS
 * (P250, 4030). The seed names no cipher; copyspec uses AES-256-GCM from node:crypto, an authenticated
 * cipher, so that plaintext stored where ciphertext belongs is detected (it does not authenticate).
 *
 * A sealed block is hex of IV (12 bytes) | ciphertext | tag (16 bytes). The IV is the generation and the
 * group block: E2's split writes PS[b] at most once per freeze (A[b] is cleared by the copy, 3450/3660), so
 * an IV is never reused with one key. The key is fixed: this is a specification, not a key-management design.
 * Sealing is deterministic and memoized, so equal worlds stay equal and the search stays fast.
 */
import { createCipheriv, createDecipheriv, createHash } from 'node:crypto';
import { fromHex, toHex } from '../hex.js';

const KEY = createHash('sha256').update('copyspec seed 001 embodiment 4 demonstration key').digest();
const IV_BYTES = 12;
const TAG_BYTES = 16;

const sealed = new Map<string, string>();
const opened = new Map<string, string | null>();

function iv(gen: number, block: number): Buffer {
  const bytes = Buffer.alloc(IV_BYTES);
  bytes.writeUInt32BE(gen, 0);
  bytes.writeUInt32BE(block, 4);
  return bytes;
}

/** Encrypts one block's plaintext (hex) for generation `gen`; returns the sealed block as hex. */
export function seal(plaintext: string, gen: number, block: number): string {
  const memo = `${gen}/${block}/${plaintext}`;
  const known = sealed.get(memo);
  if (known !== undefined) return known;
  const nonce = iv(gen, block);
  const cipher = createCipheriv('aes-256-gcm', KEY, nonce);
  const body = Buffer.concat([cipher.update(fromHex(plaintext)), cipher.final()]);
  const text = toHex(Buffer.concat([nonce, body, cipher.getAuthTag()]));
  sealed.set(memo, text);
  opened.set(text, plaintext);
  return text;
}

/** Decrypts a sealed block; null when it is not an authentic ciphertext under the key (for example plaintext). */
export function open(sealedBlock: string): string | null {
  const known = opened.get(sealedBlock);
  if (known !== undefined) return known;
  let plaintext: string | null = null;
  const bytes = fromHex(sealedBlock);
  if (bytes.length > IV_BYTES + TAG_BYTES) {
    try {
      const decipher = createDecipheriv('aes-256-gcm', KEY, bytes.subarray(0, IV_BYTES));
      decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
      plaintext = toHex(Buffer.concat([decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)), decipher.final()]));
    } catch {
      plaintext = null;
    }
  }
  opened.set(sealedBlock, plaintext);
  return plaintext;
}
