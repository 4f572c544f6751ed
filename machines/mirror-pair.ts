/**
 * mirror-pair (seed 000, JP H11-345158): the control lifecycle of one original/duplicate volume pair with
 * per-track update bitmaps, mirror temporary release and differential dumps from the frozen secondary.
 *
 * Seed terms and the names chosen here (spec/000 §2, §3):
 *   分離状態 → `separated`; ミラー状態・同期化中 → `mirror.syncing`; ミラー状態・同期化済 → `mirror.synced`;
 *   ミラー一時解除状態 (mirror temporary release) → `suspended`; 正ボリューム P → primary; 副ボリューム S →
 *   secondary; dump update-track bitmaps 230/240 → `primaryBitmap`/`secondaryBitmap` (Pbm/Sbm in the spec);
 *   MirrorTempRelease → `pair.suspend`; MirrorResync → `pair.resync`; UpdateInfoTransfer →
 *   `dump.update-info`; DumpRead → `dump.read`; the mirroring means' copy → `copy.step`/`copy.complete`.
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
}

export type MirrorEvent =
  | { readonly type: 'host.write'; readonly volume: number; readonly offset: number; readonly data: string }
  | { readonly type: 'host.read'; readonly volume: number; readonly offset: number; readonly length: number }
  | { readonly type: 'pair.establish'; readonly pair: number }
  | { readonly type: 'pair.suspend'; readonly pair: number }
  | { readonly type: 'pair.resync'; readonly pair: number }
  | { readonly type: 'pair.separate'; readonly pair: number }
  | { readonly type: 'copy.step'; readonly pair: number }
  | { readonly type: 'copy.complete'; readonly pair: number }
  | { readonly type: 'dump.update-info'; readonly pair: number }
  | { readonly type: 'dump.read'; readonly pair: number; readonly tracks: readonly number[] }
  | { readonly type: 'power.cycle' };

export type MirrorEventType = MirrorEvent['type'];

/** The machine's states as dotted keys; the controller and the model both name their state by these. */
export type MirrorStateKey = 'separated' | 'mirror.syncing' | 'mirror.synced' | 'suspended';

/** Where a host write goes (Fig.6 3030-3050, spec/000 §8.6). */
export type WriteRoute = 'addressed-volume' | 'both-volumes' | 'primary-only';

/** Where a host read is served from (spec/000 §8.7). */
export type ReadSource = 'addressed-volume' | 'primary';

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
  },
});

export type MirrorPairMachine = typeof mirrorPairMachine;
