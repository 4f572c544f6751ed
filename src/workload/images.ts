/**
 * A sequence of disk images as a workload (docs/workload.md "Disk images"): the blocks that differ between
 * consecutive images (the first against a volume of zeros) become one batch of host writes, one block each,
 * in a seeded random order, and a barrier follows each batch, so that image k is what commit k must keep.
 * The order is random because a file system's writeback is: nothing guarantees that a directory block
 * reaches the disk before the inode it names.
 *
 * A file system also writes some blocks more than once between two barriers (a bitmap or an inode table
 * block written back, then dirtied again); an image holds only the last value. So a seeded fraction of each
 * batch's blocks (`rewriteFraction`) is written twice: first with the bytes it had in the image before,
 * then, a few writes later, with its new bytes. That is what exposes a copy that reads a block and clears its
 * dirty bit in two steps (a write in between is lost), which a single write per block never does.
 */
import { readFile, stat } from 'node:fs/promises';
import { SeededRandom, streamSeed } from './random.js';
import { geometryProblem, WORKLOAD_LIMITS, type Workload, type WorkloadRecord } from './workload.js';

/** A bad image list: a usage error (exit 2), reported before anything runs. */
export class ImagesError extends Error {}

/** The block indexes where `next` differs from `previous`, compared a block at a time without per-byte work. */
export function changedBlocks(previous: Uint8Array, next: Uint8Array, blockSize: number): number[] {
  const changed: number[] = [];
  const before = Buffer.from(previous.buffer, previous.byteOffset, previous.byteLength);
  const after = Buffer.from(next.buffer, next.byteOffset, next.byteLength);
  for (let offset = 0; offset < after.length; offset += blockSize) {
    if (before.compare(after, offset, offset + blockSize, offset, offset + blockSize) !== 0) changed.push(offset / blockSize);
  }
  return changed;
}

export interface ImageSequenceOptions {
  readonly title: string;
  readonly blockSize: number;
  /** Seeds the order of each batch (stream 1000 + k for image k). */
  readonly seed: number;
  readonly fileSystem: 'ext4' | null;
  readonly replayOptions: readonly string[];
  /** The share of each batch's blocks written twice, old bytes first (default IMAGE_REWRITE_FRACTION). */
  readonly rewriteFraction?: number;
}

export const IMAGE_REWRITE_FRACTION = 0.25;

/** One write of a batch: the block, and whether it carries the block's new bytes or its old ones. */
interface BatchWrite {
  readonly block: number;
  readonly final: boolean;
}

/** The most writes between a block's old-bytes write and its new-bytes write. */
const REWRITE_GAP = 4;

/**
 * A batch's writes in seeded random order: every changed block once with its new bytes, a `fraction` of
 * them also with their old bytes a few writes before (1 to REWRITE_GAP), as a metadata block dirtied again
 * soon after it was written back.
 */
export function batchOrder(changed: readonly number[], fraction: number, random: SeededRandom): BatchWrite[] {
  const finals = random.shuffle([...changed]);
  const keyed: { key: number; write: BatchWrite }[] = finals.map((block, i) => ({ key: i, write: { block, final: true } }));
  finals.forEach((block, i) => {
    if (random.chance(fraction)) keyed.push({ key: i - random.between(1, REWRITE_GAP) + 0.5, write: { block, final: false } });
  });
  // Array.prototype.sort is stable, and no two keys are equal: a final has a whole key, an old write a half.
  return keyed.sort((a, b) => a.key - b.key).map(({ write }) => write);
}

/** One volume written image by image; each write is a block of the image itself, not a copy. */
export function imageSequenceWorkload(images: readonly Uint8Array[], options: ImageSequenceOptions): Workload {
  const [first] = images;
  if (first === undefined) throw new ImagesError('no images');
  const geometry = { volumeCount: 1, volumeBytes: first.length, blockSize: options.blockSize };
  const problem = geometryProblem(geometry);
  if (problem !== null) throw new ImagesError(`the images: ${problem}`);
  const records: WorkloadRecord[] = [];
  let previous: Uint8Array = new Uint8Array(first.length);
  images.forEach((image, k) => {
    if (image.length !== first.length) throw new ImagesError(`image ${k + 1} has ${image.length} bytes, image 1 ${first.length}; every image is the same volume`);
    const random = new SeededRandom(streamSeed(options.seed, 1000 + k));
    for (const { block, final } of batchOrder(changedBlocks(previous, image, options.blockSize), options.rewriteFraction ?? IMAGE_REWRITE_FRACTION, random)) {
      const offset = block * options.blockSize;
      records.push({ type: 'write', time: 0, volume: 0, offset, data: (final ? image : previous).subarray(offset, offset + options.blockSize) });
    }
    records.push({ type: 'barrier', time: 0 });
    previous = image;
  });
  return { title: options.title, geometry, fileSystem: options.fileSystem, records, replayOptions: options.replayOptions };
}

/** Reads image files for `--images`; every problem is an ImagesError naming the file. */
export async function readImages(files: readonly string[]): Promise<Uint8Array[]> {
  if (files.length === 0) throw new ImagesError('--images needs at least one image file');
  const images: Uint8Array[] = [];
  for (const file of files) {
    const info = await stat(file).catch((error: Error) => { throw new ImagesError(`${file}: ${error.message}`); });
    if (!info.isFile()) throw new ImagesError(`${file}: not a file`);
    if (info.size > WORKLOAD_LIMITS.maxFileBytes) throw new ImagesError(`${file}: ${info.size} bytes, more than the ${WORKLOAD_LIMITS.maxFileBytes} an image may have`);
    images.push(new Uint8Array(await readFile(file)));
  }
  return images;
}
