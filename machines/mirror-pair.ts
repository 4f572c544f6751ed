/**
 * mirror-pair (seed 000, JP H11-345158): the control lifecycle of one original/duplicate volume pair with
 * per-track update bitmaps, mirror temporary release and differential dumps from the frozen secondary, and
 * three things storage administrators expect of a pair beyond the seed (issue 15): suspension by error,
 * reverse resync and online verify.
 *
 * Seed terms and the names chosen here (spec/000 §2, §3):
 *   分離状態 → `separated`; ミラー状態・同期化中 → `mirror.syncing`; ミラー状態・同期化済 → `mirror.synced`;
 *   ミラー一時解除状態 (mirror temporary release) → `suspended`; 正ボリューム P → primary; 副ボリューム S →
 *   secondary; dump update-track bitmaps 230/240 → `primaryBitmap`/`secondaryBitmap` (Pbm/Sbm in the spec);
 *   MirrorTempRelease → `pair.suspend`; MirrorResync → `pair.resync`; UpdateInfoTransfer →
 *   `dump.update-info`; DumpRead → `dump.read`; the mirroring means' copy → `copy.step`/`copy.complete`.
 *
 * Correspondences (anchors/replication_systems.md §1.1, §1.2, §2.1, §2.5, §3.1):
 *   `separated` is ShadowImage SMPL and Metro Mirror simplex; `mirror.syncing` is COPY (PD/RS) and duplex
 *   pending, DRBD SyncSource with the secondary Inconsistent; `mirror.synced` is PAIR and full duplex;
 *   `suspended` is PSUS (a user split) and DRBD's Outdated peer; `restoring` is RCPY, COPY(RS-R), the
 *   Reverse Copy of `pairresync -restore` and FlashCopy's reverse restore; `suspended-error` is PSUE and
 *   Metro Mirror's suspended-by-error. `pair.establish` is paircreate / CESTPAIR MODE(COPY); `pair.suspend` is
 *   pairsplit; `pair.resync` is pairresync and CESTPAIR MODE(RESYNC); `pair.restore` is `pairresync -restore`;
 *   `pair.separate` is `pairsplit -S`; `track.fail` is the media or copy error that makes a pair PSUE;
 *   `mirror.verifying` and `pair.verify` are DRBD's online verify (`drbdadm verify`, VerifyS); `track.corrupt`
 *   is the silent corruption (a lost or misdirected write, bit rot) that online verify exists to find.
 *   `group.suspend` is ShadowImage's `pairsplit -g <group>` of a consistency group (CTG) and a FlashCopy
 *   consistency group's freeze: it is no event of this machine but the controller's (below).
 *
 * The extensions beyond the seed (every such transition marked `meta.ext` with the product it follows):
 * - A media or copy error (`track.fail`) on a track of a volume, while mirrored, destroys that track's bytes
 *   there and puts the pair in `suspended-error`. The copy stops; its list (`copyPending`) is kept and becomes
 *   the record of the tracks whose secondary copy is not current (an error on the secondary adds its track),
 *   and an error on the primary is recorded in `primaryFailed`. Host I/O goes on, each track served from the
 *   side whose copy is current: the primary, or the secondary for a track whose primary copy failed. Writes
 *   to the primary add their tracks to the list. `pair.resync` first rewrites the primary's failed tracks
 *   from the secondary, then copies the list (a differential resync, as TrueCopy keeps tracking in PSUE) or
 *   every track (a full resync, as ShadowImage does from PSUE). An error is injected only where the other
 *   volume holds the track's current data: on either volume in `mirror.synced`, on the secondary only in
 *   `mirror.syncing` (the primary is then the only complete copy, and losing it is a volume's loss, not a
 *   mirror's state). One error suspends the pair; a second, in `suspended-error`, is not modelled.
 * - `pair.restore` (from `suspended` only, as ShadowImage allows a reverse resync only of a split pair)
 *   copies the secondary's split image back to the primary, the tracks in Pbm OR Sbm (the vendors' union
 *   rule; here Pbm alone would do, as the secondary is frozen while split, and the union costs nothing in
 *   correctness), while host writes are refused `busy`: the restore promises the primary becomes the split
 *   image, and a write during it would be either overwritten by a later track's copy (an acknowledged write
 *   lost) or kept (and the result no longer the split image). ShadowImage's Reverse Copy likewise makes the
 *   P-VOL inaccessible. Reads of a track still to copy back are served from the secondary, which holds that
 *   image, and of any other track from the primary, which holds it already. It ends `suspended` again at the
 *   same release, with Pbm empty, so the dump chain and the release image stay as they were.
 * - `pair.verify` (from `mirror.synced` only, as DRBD verifies a connected, up-to-date pair) starts an online
 *   verify: every track goes on the list (`copyPending`, here the tracks still to compare), and `verify.step`
 *   compares the lowest one on both volumes, interleaved with host I/O, which is duplexed as when synced; a
 *   track whose copies differ is recorded in `verifyFound`. When the list is empty the controller raises
 *   `verify.complete`, which reports `verifyFound` (DRBD's "Online verify found N 4k blocks out of sync"),
 *   clears it and returns to `mirror.synced`. The pair's bitmaps say that every track of a synced pair is
 *   equal on both volumes, so every track found is one the bitmaps say should not differ. A verify is not
 *   interrupted by a split (`pair.suspend` is refused until it completes); `pair.separate` and a track error
 *   abandon it. Found tracks are reported, not repaired: DRBD leaves them marked out of sync for the next
 *   resync, which a full resync here covers.
 * - `track.corrupt(track)` is a fault, as `track.fail` is, but silent: the secondary's copy of the track
 *   changes (every byte becomes CORRUPT_BYTE) and the controller records nothing, so only a verify can find
 *   it. It is injected while the pair is synced or verifying, where the bitmaps promise equal copies.
 *
 * - A consistency group (`pairCount` pairs, group 0): `group.suspend` splits every pair of the group at one
 *   instant, accepted only when every pair is `mirror.synced` (ShadowImage refuses a group split unless every
 *   pair is PAIR) and refused `wrong-state`, changing no pair, otherwise. The pairs keep their own machines: the
 *   command makes each take its `mirror.synced --pair.suspend--> suspended` in the same atomic step, so no host
 *   write falls between two pairs' splits. A group is data-plane routing, not a new pair state, so this machine
 *   and its diagram do not change (src/mirror-pair/group.ts).
 *
 * This machine is the specification of control only: states, events, guards and which controller operation
 * each transition performs. The operations run in the data plane (src/mirror-pair/controller.ts), which
 * takes them from XState's pure `transition()`; the machine never holds volumes or bitmaps. Its context is
 * the variant's control parameters, fixed for the machine's life, so no guard depends on data.
 *
 * Each held section of the seed (4020-4050, 4520-4560, 5020-5050, 5520-5540) is one atomic transition
 * (spec/000 §8.11), so host writes can only come before or after it.
 */
import { and, setup } from 'xstate';
import { AssertionFailed } from '../src/assert.js';

export interface MirrorControlInput {
  /** 1: Sbm := Pbm when the mirror completes (5070). 2: Sbm := Pbm at temporary release (4540). */
  readonly embodiment: 1 | 2;
  /** Fig.6 records a write in the bitmap of every volume written (3070); Fig.14 only in Pbm (3570/3580). */
  readonly writeRecording: 'each-volume' | 'primary-only';
  /** The text copies the whole volume (5060); copying only Pbm's tracks is spec/000 §8.8's option. */
  readonly resyncCopy: 'full' | 'differential';
  /** Claim 10: control memory 220 is non-volatile. `volatile` shows what is lost without it. */
  readonly controlMemory: 'non-volatile' | 'volatile';
  /** `recommended`: spec/000 §8.3-8.5 guards. `literal`: the text's flows, which check no state. */
  readonly guards: 'recommended' | 'literal';
  /**
   * Beyond the seed (issue 15): the number of pairs in the controller's one consistency group, when it has one
   * (absent: one pair, in no group). No guard reads it: each pair has its own machine, and `group.suspend` is
   * the controller's, which makes every pair of the group take its own `pair.suspend` in one step
   * (src/mirror-pair/group.ts).
   */
  readonly pairCount?: number;
}

/**
 * A command that names a volume or a track names its pair with `pair`, absent for pair 0 (so a command of a
 * single pair reads as it did before consistency groups); a pair command always names its pair.
 */
export type MirrorEvent =
  | { readonly type: 'host.write'; readonly volume: number; readonly offset: number; readonly data: string; readonly pair?: number }
  | { readonly type: 'host.read'; readonly volume: number; readonly offset: number; readonly length: number; readonly pair?: number }
  | { readonly type: 'pair.establish'; readonly pair: number }
  | { readonly type: 'pair.suspend'; readonly pair: number }
  | { readonly type: 'pair.resync'; readonly pair: number }
  | { readonly type: 'pair.restore'; readonly pair: number }
  | { readonly type: 'pair.separate'; readonly pair: number }
  | { readonly type: 'copy.step'; readonly pair: number }
  | { readonly type: 'copy.complete'; readonly pair: number }
  | { readonly type: 'restore.complete'; readonly pair: number }
  | { readonly type: 'track.fail'; readonly volume: number; readonly track: number; readonly pair?: number }
  | { readonly type: 'track.corrupt'; readonly track: number; readonly pair?: number }
  | { readonly type: 'group.suspend'; readonly group: number }
  | { readonly type: 'pair.verify'; readonly pair: number }
  | { readonly type: 'verify.step'; readonly pair: number }
  | { readonly type: 'verify.complete'; readonly pair: number }
  | { readonly type: 'dump.update-info'; readonly pair: number }
  | { readonly type: 'dump.read'; readonly pair: number; readonly tracks: readonly number[] }
  | { readonly type: 'power.cycle' };

export type MirrorEventType = MirrorEvent['type'];

/** Raised by the controller itself, never sent: the copy, the restore or the verify has finished. */
export type InternalEventType = 'copy.complete' | 'restore.complete' | 'verify.complete';

/** The pair's states as the controller and the model name them, in the order keys and layouts number them. */
export const MIRROR_STATE_KEYS = ['separated', 'mirror.syncing', 'mirror.synced', 'suspended', 'restoring', 'suspended-error', 'mirror.verifying'] as const;
export type MirrorStateKey = (typeof MIRROR_STATE_KEYS)[number];

/**
 * Where a host write goes (Fig.6 3030-3050, spec/000 §8.6); `serving-side` in suspended-error: to the primary,
 * or to the secondary for a track whose primary copy failed.
 */
export type WriteRoute = 'addressed-volume' | 'both-volumes' | 'primary-only' | 'serving-side';

/**
 * Where a host read is served from (spec/000 §8.7); `restore-side` while restoring (the secondary, which holds
 * the image the primary is being restored to, for a track still to copy back; the primary for any other);
 * `serving-side` in suspended-error (the primary, or the secondary for a track whose primary copy failed).
 */
export type ReadSource = 'addressed-volume' | 'primary' | 'restore-side' | 'serving-side';

export interface TransitionMeta {
  readonly seed: '000';
  readonly steps?: readonly number[];
  readonly paras?: readonly string[];
  readonly rows?: readonly string[];
  /** Set when the seed has no such transition and copyspec adds it; says why. */
  readonly ext?: string;
  /** Set on a transition only the seed's literal flow takes: the spec/000 row of its defect. */
  readonly literal?: string;
}

/**
 * Operations run by the controller, never by an XState actor: `transition()` returns them as action
 * objects and src/mirror-pair/controller.ts executes them in order.
 */
function controllerOperation(): never {
  throw new AssertionFailed('mirror-pair operations run in the controller; drive the machine with transition()');
}

/** Why each extension exists: the product whose behaviour it follows (anchors/replication_systems.md). */
const EXT = {
  error: 'ShadowImage/TrueCopy PSUE, Metro Mirror suspended by error, DRBD Inconsistent peer (issue 15; anchors §1.1, §2.1, §3.1)',
  restore: 'ShadowImage pairresync -restore (Reverse Copy, RCPY), FlashCopy reverse restore (issue 15; anchors §1.2, §2.5)',
  verify: 'DRBD online verify (drbdadm verify, VerifyS/VerifyT, out-of-sync blocks reported) (issue 15 item 4)',
  corrupt: 'a silent corruption of the secondary (lost or misdirected write, bit rot), the fault DRBD online verify finds (issue 15 item 4)',
} as const;

/**
 * The resync from suspended-error: rewrite the primary's failed tracks from the secondary, then (embodiment 1)
 * clear Sbm as 5030 does, then copy every track or, differential, only the kept list of uncertain tracks
 * (`copyPending` as the error left it and host writes grew it), which needs no operation of its own.
 */
function resyncFromError(copy: 'keep-list' | 'startFullCopy', clearSbm: boolean) {
  return [
    'repairFailedPrimaryTracks' as const,
    ...(clearSbm ? ['clearSecondaryBitmap' as const] : []),
    ...(copy === 'startFullCopy' ? [copy] : []),
  ];
}

export const mirrorPairMachine = setup({
  types: {
    context: {} as MirrorControlInput,
    input: {} as MirrorControlInput,
    events: {} as MirrorEvent,
  },
  actions: {
    writeHost: (_, _params: { route: WriteRoute }) => controllerOperation(),
    readHost: (_, _params: { source: ReadSource }) => controllerOperation(),
    clearPrimaryBitmap: controllerOperation,
    clearSecondaryBitmap: controllerOperation,
    matchSecondaryBitmapToPrimary: controllerOperation,
    startFullCopy: controllerOperation,
    startDifferentialCopy: controllerOperation,
    copyNextTrack: controllerOperation,
    stopCopy: controllerOperation,
    reportSecondaryBitmap: controllerOperation,
    readSecondaryTracks: controllerOperation,
    loseControlMemory: controllerOperation,
    reloadControlMemory: controllerOperation,
    failTrack: controllerOperation,
    repairFailedPrimaryTracks: controllerOperation,
    startRestore: controllerOperation,
    restoreNextTrack: controllerOperation,
    startVerify: controllerOperation,
    verifyNextTrack: controllerOperation,
    reportVerify: controllerOperation,
    stopVerify: controllerOperation,
    corruptSecondaryTrack: controllerOperation,
  },
  guards: {
    embodiment1: ({ context }) => context.embodiment === 1,
    differentialResync: ({ context }) => context.resyncCopy === 'differential',
    volatileControlMemory: ({ context }) => context.controlMemory === 'volatile',
    literalGuards: ({ context }) => context.guards === 'literal',
  },
}).createMachine({
  id: 'mirror-pair',
  description: 'One primary/secondary volume pair of seed 000, with its dump update-track bitmaps.',
  context: ({ input }) => input,
  initial: 'separated',
  on: {
    'host.read': {
      description: 'Serve a host read from the primary, which always holds the newest data (【0014】).',
      actions: { type: 'readHost', params: { source: 'primary' } },
      meta: { seed: '000', paras: ['0014'], ext: 'the seed does not describe reads; spec/000 §8.7' },
    },
    'power.cycle': [
      {
        guard: 'volatileControlMemory',
        target: '.separated',
        description: 'Without claim 10, a power failure erases control memory 220: pair state and both bitmaps.',
        actions: 'loseControlMemory',
        meta: { seed: '000', paras: ['0012', '0039'], ext: 'the counter-example to claim 10' },
      },
      {
        description: 'Restart from non-volatile control memory (claim 10): pair state, bitmaps and copy progress are reloaded.',
        actions: 'reloadControlMemory',
        meta: { seed: '000', paras: ['0012', '0014', '0039'] },
      },
    ],
  },
  states: {
    separated: {
      description: '分離状態: the two volumes are unrelated (【0013】).',
      on: {
        'host.write': {
          description: 'Write the volume addressed and set its bitmap (Fig.6 3010-3070).',
          actions: { type: 'writeHost', params: { route: 'addressed-volume' } },
          meta: { seed: '000', steps: [3010, 3020, 3030, 3040, 3060, 3070], paras: ['0024'] },
        },
        'host.read': {
          description: 'Serve a read from the volume addressed: the volumes are unrelated.',
          actions: { type: 'readHost', params: { source: 'addressed-volume' } },
          meta: { seed: '000', ext: 'spec/000 §8.7' },
        },
        'pair.establish': [
          {
            guard: 'embodiment1',
            target: 'mirror.syncing',
            description: 'Establish the mirror with embodiment 1\'s resync steps: clear Sbm, then copy every track.',
            actions: ['clearSecondaryBitmap', 'startFullCopy'],
            meta: { seed: '000', steps: [5030, 5040, 5060], paras: ['0013', '0033'], ext: 'no command in the seed; spec/000 §8.1' },
          },
          {
            target: 'mirror.syncing',
            description: 'Establish the mirror with embodiment 2\'s resync steps: copy every track, no bitmap step.',
            actions: 'startFullCopy',
            meta: { seed: '000', steps: [5530, 5550], paras: ['0013', '0033'], ext: 'no command in the seed; spec/000 §8.1' },
          },
        ],
      },
    },
    mirror: {
      description: 'ミラー状態: host writes are duplexed to both volumes (claim 1, first state).',
      initial: 'syncing',
      on: {
        'host.write': {
          description: 'Duplex a host write to both volumes and record it (Fig.6 3050, 3060, 3070).',
          actions: { type: 'writeHost', params: { route: 'both-volumes' } },
          meta: { seed: '000', steps: [3010, 3020, 3030, 3050, 3060, 3070], paras: ['0024', '0035'] },
        },
        'pair.separate': {
          target: 'separated',
          description: 'Stop duplexing and any copy; keep both bitmaps.',
          actions: 'stopCopy',
          meta: { seed: '000', ext: 'no command in the seed; spec/000 §8.1' },
        },
        'dump.update-info': {
          guard: 'literalGuards',
          description: 'LITERAL: the text returns Sbm whatever the state, so while mirrored it names a moving set.',
          actions: 'reportSecondaryBitmap',
          meta: { seed: '000', steps: [6010, 6020], paras: ['0028'], rows: ['§8.5'], literal: '§8.5' },
        },
        'dump.read': {
          guard: 'literalGuards',
          description: 'LITERAL: the text reads the secondary whatever the state, so while mirrored the image moves.',
          actions: 'readSecondaryTracks',
          meta: { seed: '000', steps: [7010, 7020], paras: ['0030'], rows: ['§8.5'], literal: '§8.5' },
        },
      },
      states: {
        syncing: {
          description: '同期化中: the mirroring means copies the primary to the secondary while writes are duplexed.',
          on: {
            'copy.step': {
              description: 'Copy the next pending track from primary to secondary, reading its current data (spec/000 §8.9).',
              actions: 'copyNextTrack',
              meta: { seed: '000', steps: [5060, 5550], paras: ['0033'] },
            },
            'copy.complete': [
              {
                guard: 'embodiment1',
                target: 'synced',
                description: 'The copy has finished: match Sbm to Pbm and mark the pair synced, atomically (5070, 5080).',
                actions: 'matchSecondaryBitmapToPrimary',
                meta: { seed: '000', steps: [5070, 5080], paras: ['0033'] },
              },
              {
                target: 'synced',
                description: 'The copy has finished: mark the pair synced, with no bitmap step (5560).',
                meta: { seed: '000', steps: [5560], paras: ['0045'] },
              },
            ],
            'pair.suspend': {
              guard: 'literalGuards',
              target: '#mirror-pair.suspended',
              description: 'LITERAL: the text releases the mirror without checking the copy has finished.',
              actions: 'clearPrimaryBitmap',
              meta: { seed: '000', steps: [4010, 4020, 4030, 4040, 4050], paras: ['0026'], rows: ['§8.3'], literal: '§8.3' },
            },
            'track.fail': {
              target: '#mirror-pair.suspended-error',
              description: 'An error on a secondary track during the copy: the copy stops, and its list, with the failed track added, is the record of the uncertain tracks.',
              actions: 'failTrack',
              meta: { seed: '000', ext: EXT.error },
            },
          },
        },
        synced: {
          description: '同期化済: the secondary equals the primary.',
          on: {
            'pair.suspend': [
              {
                guard: 'embodiment1',
                target: '#mirror-pair.suspended',
                description: 'Temporary release, embodiment 1: stop duplexing and clear Pbm; this instant is the dump point.',
                actions: 'clearPrimaryBitmap',
                meta: { seed: '000', steps: [4010, 4020, 4030, 4040, 4050], paras: ['0026', '0027'] },
              },
              {
                target: '#mirror-pair.suspended',
                description: 'Temporary release, embodiment 2: Sbm := Pbm, then clear Pbm; this instant is the dump point.',
                actions: ['matchSecondaryBitmapToPrimary', 'clearPrimaryBitmap'],
                meta: { seed: '000', steps: [4510, 4520, 4530, 4540, 4550, 4560], paras: ['0040', '0041'] },
              },
            ],
            'track.fail': {
              target: '#mirror-pair.suspended-error',
              description: 'An error on a track of either volume: the other volume holds its current data and serves it; only that track is recorded.',
              actions: 'failTrack',
              meta: { seed: '000', ext: EXT.error },
            },
            'pair.verify': {
              target: 'verifying',
              description: 'Start an online verify: every track is put on the list of tracks still to compare.',
              actions: 'startVerify',
              meta: { seed: '000', ext: EXT.verify },
            },
            'track.corrupt': {
              description: 'A silent corruption: the secondary\'s copy of a track changes, and the controller records nothing.',
              actions: 'corruptSecondaryTrack',
              meta: { seed: '000', ext: EXT.corrupt },
            },
          },
        },
        verifying: {
          description: 'VerifyS: an online verify walks the tracks, comparing both copies, while host writes are duplexed as when synced.',
          on: {
            'verify.step': {
              description: 'Compare the lowest track still to compare on both volumes; record it in verifyFound when the copies differ.',
              actions: 'verifyNextTrack',
              meta: { seed: '000', ext: EXT.verify },
            },
            'verify.complete': {
              target: 'synced',
              description: 'Every track is compared: report the tracks found to differ, clear the record, and the pair is synced again.',
              actions: 'reportVerify',
              meta: { seed: '000', ext: EXT.verify },
            },
            'track.corrupt': {
              description: 'A silent corruption during the verify: found if the walk has still to compare the track, else not.',
              actions: 'corruptSecondaryTrack',
              meta: { seed: '000', ext: EXT.corrupt },
            },
            'track.fail': {
              target: '#mirror-pair.suspended-error',
              description: 'An error on a track during the verify abandons it; then as when synced, only the failed track is recorded.',
              actions: ['stopVerify', 'failTrack'],
              meta: { seed: '000', ext: EXT.error },
            },
            'pair.separate': {
              target: '#mirror-pair.separated',
              description: 'Abandon the verify and make the volumes unrelated; keep both bitmaps.',
              actions: 'stopVerify',
              meta: { seed: '000', ext: EXT.verify },
            },
          },
        },
      },
    },
    suspended: {
      description: 'ミラー一時解除状態: writes reach the primary only; the secondary is the image at the release.',
      on: {
        'host.write': {
          description: 'Write the primary only and record it (Fig.6 3040, 3060, 3070); the secondary stays frozen.',
          actions: { type: 'writeHost', params: { route: 'primary-only' } },
          meta: { seed: '000', steps: [3010, 3020, 3030, 3040, 3060, 3070], paras: ['0014', '0024'] },
        },
        'pair.suspend': {
          guard: 'literalGuards',
          description: 'LITERAL: a second release clears Pbm again, dropping tracks from the differential chain.',
          actions: 'clearPrimaryBitmap',
          meta: { seed: '000', steps: [4010, 4020, 4030, 4040, 4050], paras: ['0026'], rows: ['§6', '§8.3'], literal: '§8.3' },
        },
        'pair.resync': [
          {
            guard: and(['embodiment1', 'differentialResync']),
            target: 'mirror.syncing',
            description: 'Resync, embodiment 1: clear Sbm (5030), then copy only the tracks in Pbm (spec/000 §8.8).',
            actions: ['clearSecondaryBitmap', 'startDifferentialCopy'],
            meta: { seed: '000', steps: [5010, 5020, 5030, 5040, 5050, 5060], paras: ['0032', '0033'], rows: ['§8.8'] },
          },
          {
            guard: 'embodiment1',
            target: 'mirror.syncing',
            description: 'Resync, embodiment 1: clear Sbm (5030), then copy every track (5060).',
            actions: ['clearSecondaryBitmap', 'startFullCopy'],
            meta: { seed: '000', steps: [5010, 5020, 5030, 5040, 5050, 5060], paras: ['0032', '0033'] },
          },
          {
            guard: 'differentialResync',
            target: 'mirror.syncing',
            description: 'Resync, embodiment 2: no bitmap step; copy only the tracks in Pbm (spec/000 §8.8).',
            actions: 'startDifferentialCopy',
            meta: { seed: '000', steps: [5510, 5520, 5530, 5540, 5550], paras: ['0045'], rows: ['§8.8'] },
          },
          {
            target: 'mirror.syncing',
            description: 'Resync, embodiment 2: no bitmap step; copy every track (5550).',
            actions: 'startFullCopy',
            meta: { seed: '000', steps: [5510, 5520, 5530, 5540, 5550], paras: ['0045'] },
          },
        ],
        'pair.restore': {
          target: 'restoring',
          description: 'Reverse resync: the tracks in Pbm OR Sbm are to be copied back from the secondary, and Pbm is cleared, as the primary returns to the release image.',
          actions: 'startRestore',
          meta: { seed: '000', ext: EXT.restore },
        },
        'dump.update-info': {
          description: 'Return Sbm: the tracks written between the previous release and this one (6010, 6020).',
          actions: 'reportSecondaryBitmap',
          meta: { seed: '000', steps: [6010, 6020], paras: ['0028'] },
        },
        'dump.read': {
          description: 'Return the secondary\'s data for the requested tracks: the image at the release (7010, 7020).',
          actions: 'readSecondaryTracks',
          meta: { seed: '000', steps: [7010, 7020], paras: ['0030'] },
        },
        'pair.separate': {
          target: 'separated',
          description: 'Make the volumes unrelated; keep both bitmaps.',
          meta: { seed: '000', ext: 'no command in the seed; spec/000 §8.1' },
        },
      },
    },
    restoring: {
      description: 'RCPY: the secondary\'s split image is copied back to the primary; host writes are refused busy until it is done.',
      on: {
        'host.read': {
          description: 'Serve a read of a track still to copy back from the secondary, which holds the image the primary is being restored to; of any other from the primary.',
          actions: { type: 'readHost', params: { source: 'restore-side' } },
          meta: { seed: '000', ext: EXT.restore },
        },
        'copy.step': {
          description: 'Copy the next pending track from the secondary back to the primary.',
          actions: 'restoreNextTrack',
          meta: { seed: '000', ext: EXT.restore },
        },
        'restore.complete': {
          target: 'suspended',
          description: 'Every track is restored: the pair is split again at the same release, with Pbm empty.',
          meta: { seed: '000', ext: EXT.restore },
        },
      },
    },
    'suspended-error': {
      description: 'PSUE: suspended by a media or copy error; each track is served from the side whose copy is current.',
      on: {
        'host.write': {
          description: 'Write the serving side of each track (the primary, or the secondary where its copy failed) and set Pbm; a track written on the primary joins the copy list, one written on the secondary is current there already.',
          actions: { type: 'writeHost', params: { route: 'serving-side' } },
          meta: { seed: '000', steps: [3060, 3070], ext: EXT.error },
        },
        'host.read': {
          description: 'Serve a read from the serving side of each track: the primary, or the secondary where its copy failed.',
          actions: { type: 'readHost', params: { source: 'serving-side' } },
          meta: { seed: '000', ext: EXT.error },
        },
        'pair.resync': [
          {
            guard: and(['embodiment1', 'differentialResync']),
            target: 'mirror.syncing',
            description: 'Rewrite the primary\'s failed tracks from the secondary, clear Sbm (5030), copy the uncertain tracks (TrueCopy).',
            actions: resyncFromError('keep-list', true),
            meta: { seed: '000', steps: [5030, 5060], ext: EXT.error },
          },
          {
            guard: 'embodiment1',
            target: 'mirror.syncing',
            description: 'Rewrite the primary\'s failed tracks from the secondary, clear Sbm (5030), copy every track (5060; ShadowImage).',
            actions: resyncFromError('startFullCopy', true),
            meta: { seed: '000', steps: [5030, 5060], ext: EXT.error },
          },
          {
            guard: 'differentialResync',
            target: 'mirror.syncing',
            description: 'Rewrite the primary\'s failed tracks from the secondary, then copy the uncertain tracks (TrueCopy).',
            actions: resyncFromError('keep-list', false),
            meta: { seed: '000', steps: [5550], ext: EXT.error },
          },
          {
            target: 'mirror.syncing',
            description: 'Rewrite the primary\'s failed tracks from the secondary, then copy every track (5550; ShadowImage).',
            actions: resyncFromError('startFullCopy', false),
            meta: { seed: '000', steps: [5550], ext: EXT.error },
          },
        ],
      },
    },
  },
});

export type MirrorPairMachine = typeof mirrorPairMachine;
