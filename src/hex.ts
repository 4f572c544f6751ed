/**
 * Bytes in events, results and vectors are lowercase hexadecimal strings, two digits a byte, so that a
 * vector reads the same in every language (docs/vectors.md).
 */
export function isHex(text: string): boolean {
  if (text.length % 2 !== 0) return false;
  // A loop over char codes rather than /^[0-9a-f]*$/: the checkers validate a write's data on every step.
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (!((code >= 48 && code <= 57) || (code >= 97 && code <= 102))) return false;
  }
  return true;
}

/**
 * Recently decoded short strings: the checkers send the same few small commands millions of times. Bounded
 * in entries and in length, so a long write's data is never kept.
 */
const decoded = new Map<string, Uint8Array>();
const DECODED_LIMIT = 4096;
const CACHED_LENGTH = 64;

/** Decodes hex; the result may be shared and must not be changed by the caller. */
export function fromHex(text: string): Uint8Array {
  const known = decoded.get(text);
  if (known !== undefined) return known;
  const bytes = new Uint8Array(text.length / 2);
  for (let i = 0; i < bytes.length; i += 1) bytes[i] = parseInt(text.slice(2 * i, 2 * i + 2), 16);
  if (text.length <= CACHED_LENGTH) {
    if (decoded.size >= DECODED_LIMIT) decoded.clear();
    decoded.set(text, bytes);
  }
  return bytes;
}

export function toHex(bytes: ArrayLike<number>): string {
  let text = '';
  for (let i = 0; i < bytes.length; i += 1) text += (bytes[i]! < 16 ? '0' : '') + bytes[i]!.toString(16);
  return text;
}
