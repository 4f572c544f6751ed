import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { Bitmap } from '../src/bitmap.js';
import { PointInTimeCopy } from '../src/point-in-time.js';
import { Volume } from '../src/volume.js';

const TRACKS = 6;
const SIZE = 2;

function volumeOf(bytes: readonly number[]): Volume {
  return new Volume(TRACKS, SIZE, Uint8Array.from(bytes));
}

describe('point-in-time', () => {
  test('point-in-time: a write to a pending track copies the old track first, and only once', () => {
    const source = volumeOf([1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6]);
    const target = new Volume(TRACKS, SIZE);
    const copy = PointInTimeCopy.at(Bitmap.of(TRACKS, [1, 2, 3]));
    expect(copy.beforeWrite(source, target, 2, 4)).toEqual([2, 3]);
    source.write(4, Uint8Array.of(9, 9, 9, 9));
    expect(copy.beforeWrite(source, target, 2, 3)).toEqual([]);
    expect([...target.contents()]).toEqual([0, 0, 0, 0, 3, 3, 4, 4, 0, 0, 0, 0]);
    expect(copy.pending.toArray()).toEqual([1]);
  });

  test('point-in-time: the background copy takes the lowest pending track, then reports -1', () => {
    const source = volumeOf([1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6]);
    const target = new Volume(TRACKS, SIZE);
    const copy = PointInTimeCopy.ofVolume(TRACKS);
    const order: number[] = [];
    for (let track = copy.step(source, target); track !== -1; track = copy.step(source, target)) order.push(track);
    expect(order).toEqual([0, 1, 2, 3, 4, 5]);
    expect(copy.done).toBe(true);
    expect([...target.contents()]).toEqual([...source.contents()]);
  });

  test('point-in-time: under any interleaving of writes and steps, the image is the source at the instant', () => {
    const command = fc.oneof(
      fc.record({ write: fc.integer({ min: 0, max: TRACKS * SIZE - 1 }), value: fc.integer({ min: 1, max: 255 }) }),
      fc.constant({ step: true as const }),
    );
    fc.assert(fc.property(fc.uniqueArray(fc.integer({ min: 0, max: TRACKS - 1 })), fc.array(command, { maxLength: 30 }), (tracks, commands) => {
      const source = volumeOf(Array.from({ length: TRACKS * SIZE }, (_, i) => i + 1));
      const instant = [...source.contents()];
      const target = new Volume(TRACKS, SIZE);
      const copy = PointInTimeCopy.at(Bitmap.of(TRACKS, tracks));
      for (const c of commands) {
        if ('step' in c) copy.step(source, target);
        else {
          const track = Math.floor(c.write / SIZE);
          copy.beforeWrite(source, target, track, track + 1);
          source.write(c.write, Uint8Array.of(c.value));
        }
        for (const track of tracks) expect([...copy.imageTrack(source, target, track)]).toEqual(instant.slice(track * SIZE, (track + 1) * SIZE));
      }
    }), { seed: 20261201, numRuns: 300 });
  });

  test('point-in-time: a clone keeps its own pending tracks', () => {
    const copy = PointInTimeCopy.ofVolume(TRACKS);
    const clone = copy.clone();
    clone.step(new Volume(TRACKS, SIZE), new Volume(TRACKS, SIZE));
    expect(copy.pending.count).toBe(TRACKS);
    expect(JSON.stringify(clone)).toBe('"011111"');
  });

  test('point-in-time: a scanning copy copies the track its cursor names only while it is pending', () => {
    const source = volumeOf([1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6]);
    const target = new Volume(TRACKS, SIZE);
    const copy = PointInTimeCopy.at(Bitmap.of(TRACKS, [1, 3]));
    expect([0, 1, 2, 3].map((track) => copy.copyTrack(source, target, track))).toEqual([false, true, false, true]);
    expect(copy.copyTrack(source, target, 1)).toBe(false);
    expect([...target.contents()]).toEqual([0, 0, 2, 2, 0, 0, 4, 4, 0, 0, 0, 0]);
    expect(copy.done).toBe(true);
  });

  test('point-in-time: a copy over a bitmap keeps its pending tracks in that bitmap', () => {
    const source = volumeOf([1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6]);
    const target = new Volume(TRACKS, SIZE);
    const bitmap = Bitmap.of(TRACKS, [0, 2, 5]);
    const copy = PointInTimeCopy.over(bitmap);
    expect(copy.pending).toBe(bitmap);
    expect(copy.beforeWrite(source, target, 2, 3)).toEqual([2]);
    expect(copy.copyTrack(source, target, 5)).toBe(true);
    expect(bitmap.toArray()).toEqual([0]);
    bitmap.set(4);
    expect(copy.step(source, target)).toBe(0);
    expect(copy.step(source, target)).toBe(4);
    expect(copy.done).toBe(true);
  });

  /** An image of the whole volume whose track 1 was copied to the target before a write; track 2 written since, still pending. */
  function imageAfterWrites(): { source: Volume; target: Volume; copy: PointInTimeCopy } {
    const source = volumeOf([1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6]);
    const target = new Volume(TRACKS, SIZE);
    const copy = PointInTimeCopy.ofVolume(TRACKS);
    copy.beforeWrite(source, target, 1, 2);
    source.write(2, Uint8Array.of(9, 9));
    return { source, target, copy };
  }

  test('point-in-time: readImageTrack reads the image as imageTrack does, and counts the read on the volume it comes from', () => {
    const { source, target, copy } = imageAfterWrites();
    const [sourceReads, targetReads] = [source.physicalReadCount, target.physicalReadCount];
    expect([...copy.readImageTrack(source, target, 1)]).toEqual([2, 2]);
    expect([...copy.readImageTrack(source, target, 2)]).toEqual([3, 3]);
    expect([source.physicalReadCount - sourceReads, target.physicalReadCount - targetReads]).toEqual([1, 1]);
    expect([...copy.readImageTrack(source, target, 1)]).toEqual([...copy.imageTrack(source, target, 1)]);
  });

  test('point-in-time: readImageTrack into a buffer reads the same bytes into it, from the same volume', () => {
    const { source, target, copy } = imageAfterWrites();
    const into = new Uint8Array(SIZE);
    const [sourceReads, targetReads] = [source.physicalReadCount, target.physicalReadCount];
    expect(copy.readImageTrack(source, target, 1, into)).toBe(into);
    expect([...into]).toEqual([2, 2]);
    expect([...copy.readImageTrack(source, target, 2, into)]).toEqual([3, 3]);
    expect([source.physicalReadCount - sourceReads, target.physicalReadCount - targetReads]).toEqual([1, 1]);
  });
});
