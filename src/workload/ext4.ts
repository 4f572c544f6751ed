/**
 * Real ext4 file systems for `copyspec workload --ext4` (docs/workload.md "The ext4 workload"), made with
 * Debian's e2fsprogs: `mke2fs -d` builds the first image from a seeded directory tree, and each change after
 * it (files added, rewritten and deleted, a directory made) is a `debugfs -w` script on a copy of the image
 * before. `e2fsck -fn` checks every image made, and every image a lifecycle recovers (`Fsck`).
 *
 * The images are byte-for-byte reproducible from the seed, so that the errata pages, which quote a run, can
 * be checked: the clock is fixed (E2FSPROGS_FAKE_TIME), the UUID and directory hash seed are derived from the
 * seed, mke2fs reads its own configuration (MKE2FS_CONFIG, Debian's defaults for ext4) rather than the
 * machine's, the locale is C (mke2fs -d sorts directory entries with alphasort), and every inode's owner and
 * change time, which mke2fs -d copies from the source tree, is then set by debugfs.
 *
 * The tools are found on PATH, /usr/sbin and /sbin. Where they are missing, `findE2fsprogs` says so and what
 * to install; nothing here guesses.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { imageSequenceWorkload } from './images.js';
import { SeededRandom, seededBytes, streamSeed } from './random.js';
import type { Workload } from './workload.js';

export interface E2fsprogs {
  /** `1.47.0`, as `mke2fs -V` reports it. */
  readonly version: string;
}

/** What to tell a user without e2fsprogs. */
export const E2FSPROGS_MISSING = 'e2fsprogs (mke2fs, debugfs, e2fsck) is not installed; install it with `apt-get install -y e2fsprogs`';

/** The environment every tool runs in: a fixed clock, C locale, our mke2fs.conf, the sbin folders on PATH. */
function toolEnvironment(folder: string, clock: number): NodeJS.ProcessEnv {
  return {
    PATH: [process.env['PATH'] ?? '', '/usr/sbin', '/sbin'].filter((p) => p !== '').join(delimiter),
    LC_ALL: 'C',
    TZ: 'UTC',
    E2FSPROGS_FAKE_TIME: String(clock),
    MKE2FS_CONFIG: join(folder, 'mke2fs.conf'),
  };
}

/** Runs a tool; never throws for its exit status, only the caller knows what a status means. */
function run(tool: string, args: readonly string[], environment: NodeJS.ProcessEnv, cwd: string): { status: number; stdout: string; stderr: string } {
  const result = spawnSync(tool, args, { env: environment, cwd, encoding: 'utf8', timeout: 120_000, maxBuffer: 64 * 1024 * 1024 });
  if (result.error !== undefined) return { status: -1, stdout: '', stderr: result.error.message };
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/** The installed e2fsprogs, or why it cannot be used. Every tool must answer `-V`. */
export function findE2fsprogs(): E2fsprogs | string {
  const folder = tmpdir();
  const environment = { ...toolEnvironment(folder, 0), MKE2FS_CONFIG: '/dev/null' };
  let version = '';
  for (const tool of ['mke2fs', 'debugfs', 'e2fsck']) {
    const answer = run(tool, ['-V'], environment, folder);
    const found = /(\d+\.\d+(?:\.\d+)?)/.exec(`${answer.stderr}${answer.stdout}`);
    if (answer.status !== 0 || found === null) return `${E2FSPROGS_MISSING} (${tool} -V: ${answer.stderr.trim() || `exit ${answer.status}`})`;
    version = found[1]!;
  }
  return { version };
}

/** Debian's mke2fs.conf defaults for ext4 (e2fsprogs 1.47), so the images do not depend on /etc. */
const MKE2FS_CONF = `[defaults]
\tbase_features = sparse_super,large_file,filetype,resize_inode,dir_index,ext_attr
\tdefault_mntopts = acl,user_xattr
\tenable_periodic_fsck = 0
\tblocksize = 4096
\tinode_size = 256
\tinode_ratio = 16384
[fs_types]
\text4 = {
\t\tfeatures = has_journal,extent,huge_file,flex_bg,metadata_csum,64bit,dir_nlink,extra_isize
\t}
\tsmall = {
\t\tblocksize = 1024
\t\tinode_ratio = 4096
\t}
\tfloppy = {
\t\tblocksize = 1024
\t\tinode_ratio = 8192
\t}
`;

export interface Ext4Options {
  readonly seed: number;
  readonly sizeMiB: number;
  readonly blockSize: 1024 | 4096;
  /** Changes after the first image: the sequence has changes + 1 images. */
  readonly changes: number;
}

/** The ext4 workload's bounds and defaults, in one place. */
export const EXT4_LIMITS = { minSizeMiB: 1, maxSizeMiB: 256, maxChanges: 200 } as const;

/** A generator or checker step that went wrong: the tool's own words. */
export class Ext4Error extends Error {}

/** The first clock of a sequence (2023-11-14 22:13:20 UTC); change k runs a minute after change k-1. */
const CLOCK = 1_700_000_000;

/** A UUID made from the seed, so mke2fs names and hashes the file system the same way every time. */
function uuidOf(seed: number, purpose: string): string {
  const hex = createHash('sha256').update(`copyspec ext4 ${purpose} ${seed}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

interface FileEntry {
  readonly path: string;
  readonly size: number;
}

/** The tree being built: its directories, its files, and how many bytes they take. */
interface Tree {
  readonly directories: string[];
  readonly files: FileEntry[];
}

const usedBytes = (tree: Tree): number => tree.files.reduce((sum, file) => sum + file.size, 0);

/** A file size: most are small, some are tens of kilobytes, as on a real volume. */
function fileSize(random: SeededRandom, capacity: number): number {
  const small = random.chance(0.6);
  return small ? random.between(100, 4000) : random.between(8 * 1024, Math.max(8 * 1024, Math.min(160 * 1024, Math.floor(capacity / 12))));
}

class Generator {
  private readonly random: SeededRandom;
  private readonly environment: (clock: number) => NodeJS.ProcessEnv;
  private readonly capacity: number;
  private readonly tree: Tree = { directories: ['/'], files: [] };
  private counter = 0;
  /**
   * How many bytes the changes may add to the files of the first image: half the space the file system had
   * free after it. The journal and the inode tables take much of a small ext4 volume (half of an 8 MiB one
   * with 4 KiB blocks), so the room is read from the file system, not guessed from its size.
   */
  private room = 0;
  private firstUsed = 0;

  constructor(private readonly options: Ext4Options, private readonly folder: string) {
    this.random = new SeededRandom(streamSeed(options.seed, 2000));
    this.environment = (clock) => toolEnvironment(folder, clock);
    this.capacity = options.sizeMiB * 1024 * 1024;
  }

  /** A host file of seeded bytes for mke2fs -d or debugfs write, with fixed mode and times. */
  private hostFile(path: string, size: number): void {
    writeFileSync(path, seededBytes(streamSeed(this.options.seed, 3000 + this.counter), size));
    this.counter += 1;
    chmodSync(path, 0o644);
    utimesSync(path, CLOCK, CLOCK);
  }

  private newName(directory: string, stem: string): string {
    return `${directory === '/' ? '' : directory}/${stem}${this.counter}`;
  }

  /** The first image: a tree of a few directories and files filling about a quarter of the volume, by mke2fs -d. */
  first(image: string): void {
    const root = join(this.folder, 'root');
    mkdirSync(root);
    for (const directory of ['/docs', '/src', '/src/lib', '/data']) {
      mkdirSync(join(root, directory));
      this.tree.directories.push(directory);
    }
    while (usedBytes(this.tree) < this.capacity / 4) {
      const directory = this.tree.directories[this.random.below(this.tree.directories.length)]!;
      const path = this.newName(directory, 'file');
      const size = fileSize(this.random, this.capacity);
      this.hostFile(join(root, path), size);
      this.tree.files.push({ path, size });
    }
    for (const directory of this.tree.directories) {
      chmodSync(join(root, directory), 0o755);
      utimesSync(join(root, directory), CLOCK, CLOCK);
    }
    const blocks = this.capacity / this.options.blockSize;
    const uuid = uuidOf(this.options.seed, 'uuid');
    this.tool('mke2fs', ['-q', '-F', '-t', 'ext4', '-b', String(this.options.blockSize), '-U', uuid, '-E', `hash_seed=${uuidOf(this.options.seed, 'hash')},root_owner=0:0`, '-d', root, image, String(blocks)], CLOCK);
    // mke2fs -d copies each inode's owner and change time from the source tree; fix them for reproducibility.
    this.debugfs(image, [...this.tree.directories, ...this.tree.files.map((f) => f.path)].flatMap((path) => this.ownership(path)), CLOCK);
    this.room = this.freeBytes(image) / 2;
    this.firstUsed = usedBytes(this.tree);
  }

  /** The free bytes of the file system, from `debugfs -R stats`. */
  private freeBytes(image: string): number {
    const answer = run('debugfs', ['-R', 'stats', image], this.environment(CLOCK), this.folder);
    const found = /^Free blocks:\s+(\d+)/m.exec(answer.stdout);
    if (answer.status !== 0 || found === null) throw new Ext4Error(`debugfs -R stats ${image}: ${answer.stderr.trim() || 'no "Free blocks" line'}`);
    return Number(found[1]) * this.options.blockSize;
  }

  private ownership(path: string): string[] {
    return [`sif "${path}" uid 0`, `sif "${path}" gid 0`, `sif "${path}" ctime @${CLOCK}`, `sif "${path}" ctime_extra 0`];
  }

  /** Change k: new files, rewritten files, a deletion, sometimes a new directory, as one debugfs script. */
  change(image: string, k: number): void {
    const script: string[] = [];
    const add = (directory: string): void => {
      const path = this.newName(directory, 'new');
      const size = fileSize(this.random, Math.min(this.capacity, 12 * this.room / 4));
      const host = join(this.folder, `host${this.counter}`);
      this.hostFile(host, size);
      script.push(`write "${host}" "${path}"`, `sif "${path}" uid 0`, `sif "${path}" gid 0`);
      this.tree.files.push({ path, size });
    };
    const pick = (): FileEntry => this.tree.files.splice(this.random.below(this.tree.files.length), 1)[0]!;
    const full = usedBytes(this.tree) - this.firstUsed > this.room;
    if (this.random.chance(0.3)) {
      const directory = this.newName(this.tree.directories[this.random.below(this.tree.directories.length)]!, 'dir');
      script.push(`mkdir "${directory}"`, `sif "${directory}" uid 0`, `sif "${directory}" gid 0`);
      this.tree.directories.push(directory);
    }
    for (let i = full ? 2 : this.random.between(0, 1); i > 0 && this.tree.files.length > 1; i -= 1) script.push(`rm "${pick().path}"`);
    for (let i = this.random.between(1, 2); i > 0 && this.tree.files.length > 0; i -= 1) {
      const old = pick();
      script.push(`rm "${old.path}"`);
      add(old.path.slice(0, old.path.lastIndexOf('/')) || '/');
    }
    for (let i = full ? 0 : this.random.between(1, 3); i > 0; i -= 1) add(this.tree.directories[this.random.below(this.tree.directories.length)]!);
    this.debugfs(image, script, CLOCK + 60 * k);
  }

  private debugfs(image: string, script: readonly string[], clock: number): void {
    const file = join(this.folder, 'script');
    writeFileSync(file, `${script.join('\n')}\n`);
    this.tool('debugfs', ['-w', '-f', file, image], clock);
  }

  /** Runs a tool; anything on stderr but its banner (and mke2fs's note on small volumes) is an error. */
  private tool(name: string, args: readonly string[], clock: number): void {
    const answer = run(name, args, this.environment(clock), this.folder);
    const complaints = answer.stderr.split('\n').filter((line) => line.trim() !== '' && !/^(debugfs|mke2fs) \d/.test(line) && !/too small for a journal/.test(line));
    if (answer.status !== 0 || complaints.length > 0) throw new Ext4Error(`${name} ${args.join(' ')}: ${complaints.join('; ') || `exit ${answer.status}`}`);
  }
}

/**
 * The image sequence of the ext4 workload: `changes + 1` images of `sizeMiB` MiB. Every image is checked by
 * `e2fsck -fn` before it is returned: a generator that made a dirty file system would make every check wrong.
 */
export function generateExt4Images(options: Ext4Options, fsck: Fsck): Uint8Array[] {
  const folder = mkdtempSync(join(tmpdir(), 'copyspec-ext4-'));
  try {
    writeFileSync(join(folder, 'mke2fs.conf'), MKE2FS_CONF);
    const generator = new Generator(options, folder);
    const image = join(folder, 'fs.img');
    const images: Uint8Array[] = [];
    for (let k = 0; k <= options.changes; k += 1) {
      if (k === 0) generator.first(image);
      else generator.change(image, k);
      const bytes = new Uint8Array(readFileSync(image));
      const verdict = fsck.check(bytes);
      if (!verdict.clean) throw new Ext4Error(`the generator made a file system e2fsck rejects (image ${k + 1}): ${verdict.message ?? `exit ${verdict.status}`}`);
      images.push(bytes);
    }
    return images;
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

export interface FsckVerdict {
  readonly clean: boolean;
  /** e2fsck's exit status: 0 clean; 4 errors left uncorrected (-n); 8 it could not check the file system. */
  readonly status: number;
  /** The first problem e2fsck reported, null when clean. */
  readonly message: string | null;
}

/** Lines of e2fsck's report that are not a problem: its banner, the pass headings, the summary. */
const ROUTINE = [/^e2fsck \d/, /^Pass \d[A-Z]?:/, /^recovered\.img: \d+\/\d+ files/, /^\s*$/, /^Warning: skipping journal recovery/];

function firstProblem(output: string): string | null {
  for (const line of output.split('\n')) if (!ROUTINE.some((pattern) => pattern.test(line))) return line.trim();
  return null;
}

/**
 * `e2fsck -fn` on images: each distinct image is checked once (by SHA-256 of its bytes), so that the
 * thousand failure points of a run that recover the same committed image cost one e2fsck.
 */
export class Fsck {
  private readonly verdicts = new Map<string, FsckVerdict>();
  private readonly folder: string;
  /** e2fsck runs so far (distinct images). */
  runs = 0;

  constructor() {
    this.folder = mkdtempSync(join(tmpdir(), 'copyspec-fsck-'));
  }

  check(image: Uint8Array): FsckVerdict {
    const digest = createHash('sha256').update(image).digest('hex');
    const known = this.verdicts.get(digest);
    if (known !== undefined) return known;
    writeFileSync(join(this.folder, 'recovered.img'), image);
    const answer = run('e2fsck', ['-fn', 'recovered.img'], toolEnvironment(this.folder, CLOCK), this.folder);
    this.runs += 1;
    const clean = answer.status === 0;
    const verdict: FsckVerdict = {
      clean,
      status: answer.status,
      message: clean ? null : firstProblem(answer.stdout) ?? firstProblem(answer.stderr) ?? `exit ${answer.status}`,
    };
    this.verdicts.set(digest, verdict);
    return verdict;
  }

  /** Removes the scratch folder; the verdicts stay. */
  close(): void {
    rmSync(this.folder, { recursive: true, force: true });
  }
}

/** The built-in ext4 workload's defaults: a dozen changes of an 8 MiB file system (issue 16's experiment). */
export const EXT4_DEFAULTS = { sizeMiB: 8, changes: 12, blockSize: 4096 } as const satisfies Omit<Ext4Options, 'seed'>;

/** The options that make this ext4 workload again, for replay commands. */
export function ext4ReplayOptions(options: Omit<Ext4Options, 'seed'>): string[] {
  return ['--ext4', '--ext4-size', String(options.sizeMiB), '--ext4-changes', String(options.changes), '--ext4-block-size', String(options.blockSize)];
}

/**
 * The built-in ext4 workload: the generated images as an image sequence, each change's blocks in a seeded
 * random order, a barrier after each (src/workload/images.ts). The same seed makes the same images.
 */
export function ext4Workload(options: Ext4Options, fsck: Fsck): Workload {
  const images = generateExt4Images(options, fsck);
  return imageSequenceWorkload(images, {
    title: `ext4, ${options.sizeMiB} MiB, ${options.blockSize}-byte blocks, ${options.changes} changes, seed ${options.seed}`,
    blockSize: options.blockSize,
    seed: options.seed,
    fileSystem: 'ext4',
    replayOptions: ext4ReplayOptions(options),
  });
}
