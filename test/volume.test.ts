/**
 * The logical volume (src/volume.ts): a clone shares the bytes until either side writes, and every write
 * and read is counted as physical I/O whether or not it had to copy them.
 */
import { describe, expect, test } from 'vitest';

import { Volume } from '../src/volume.js';

function filled(trackCount: number, trackSize: number): Volume {
  const volume = new Volume(trackCount, trackSize);
  volume.write(0, Uint8Array.from({ length: trackCount * trackSize }, (_, i) => i + 1));
  return volume;
}

describe('volume', () => {
  test('volume: clone: a write to the clone or to the original changes only that one', () => {
    const original = filled(4, 2);
    const clone = original.clone();
    clone.write(2, Uint8Array.of(0xaa, 0xbb));
    expect([...original.contents()]).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect([...clone.contents()]).toEqual([1, 2, 0xaa, 0xbb, 5, 6, 7, 8]);
    const second = original.clone();
    original.writeTrack(3, Uint8Array.of(0xcc, 0xdd));
    expect([...original.contents()]).toEqual([1, 2, 3, 4, 5, 6, 0xcc, 0xdd]);
    expect([...second.contents()]).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect([...clone.contents()]).toEqual([1, 2, 0xaa, 0xbb, 5, 6, 7, 8]);
  });

  test('volume: clone: a copied track lands only in the volume written', () => {
    const source = filled(2, 2);
    const target = new Volume(2, 2);
    const targetClone = target.clone();
    target.copyTrackFrom(source, 1);
    expect([...target.contents()]).toEqual([0, 0, 3, 4]);
    expect([...targetClone.contents()]).toEqual([0, 0, 0, 0]);
  });

  test('volume: clone: physical writes and reads are counted per volume, also for bytes already there', () => {
    const original = filled(4, 2);
    const clone = original.clone();
    expect(clone.physicalWriteCount).toBe(original.physicalWriteCount);
    clone.write(1, Uint8Array.of(2, 3)); // the bytes it already holds, across two tracks
    expect(clone.physicalWriteCount).toBe(original.physicalWriteCount + 2);
    expect([...clone.read(0, 3)]).toEqual([1, 2, 3]);
    expect(clone.physicalReadCount).toBe(original.physicalReadCount + 2);
    expect(original.contents()).toEqual(clone.contents());
  });

  test('volume: readTrackInto: reads one track into the buffer given, counted as readTrack, and refuses a buffer not of one track', () => {
    const volume = filled(3, 2);
    const into = new Uint8Array(2);
    const reads = volume.physicalReadCount;
    expect(volume.readTrackInto(1, into)).toBe(into);
    expect([...into]).toEqual([3, 4]);
    expect([...volume.readTrackInto(2, into)]).toEqual([...volume.readTrack(2)]);
    expect(volume.physicalReadCount - reads).toBe(3);
    into.fill(0); // the buffer is the caller's: the volume keeps nothing of it
    expect([...volume.contents()]).toEqual([1, 2, 3, 4, 5, 6]);
    expect(() => volume.readTrackInto(3, into)).toThrow(/outside/);
    expect(() => volume.readTrackInto(0, new Uint8Array(3))).toThrow(/exactly one track/);
    expect(volume.physicalReadCount - reads).toBe(3);
  });

  test('volume: a volume of no tracks holds no bytes, and a read or write of it is outside', () => {
    const empty = new Volume(0, 2);
    expect(empty.byteLength).toBe(0);
    expect(() => empty.write(0, Uint8Array.of(1))).toThrow(/outside/);
    expect(() => empty.read(0, 1)).toThrow(/outside/);
    expect(empty.clone().byteLength).toBe(0);
  });
});
