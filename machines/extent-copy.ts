/**
 * extent-copy (seed 002, JP 2000-242437): the pair records of an in-storage copy that copies one data set's
 * extent rather than the whole volume, with copy-before-write of just the written track while a
 * point-in-time copy is in progress (【0003】【0004】【0149】). Three embodiments, one machine: **E1** a volume
 * pair plus Extent Update (Figs 1-10), **E2** extent pairs, one record per extent (Figs 11-18), **E3** a volume
 * pair plus Extent Split and Extent Join (Figs 19-28). spec/002 §3 is the transition table cited below.
 *
 * Seed terms and the names chosen here (spec/002 §2, §3):
 *   ペア情報 110/1110/1909 (pair info) → a pair record, named by its index `pair`; 使用フラグ 0 → `free`;
 *   形成中 → `forming`; 形成完了 → `formed`; 分割中 → `splitting`; 分割完了 → `split`; エクステント分割中 →
 *   `xsplitting`; エクステント分割完了 → `xsplit`; エクステント結合中 → `xjoining`; 正ボリューム (original) →
 *   `original`; 副ボリューム (copy) → `copy`; 作成中差分情報 300/2100 → CB; 分割中差分情報 301/2101 → SB;
 *   アップデート中差分情報 302 → UB; E2's 差分情報 1204 → the record's `bitmap`; エクステント情報 205/2006 →
 *   extents (E1: extent slots with a use flag 206). Requests: ペア作成 → `pair.create`, ペア分割 →
 *   `pair.split`, エクステントアップデート → `extent.update`, エクステント分割 → `extent.split`, エクステント結合 →
 *   `extent.join`, ライト → `host.write`. The copy processes (ペア作成コピー 106/1106/1913, ペア分割コピー
 *   107/1107, エクステントアップデートコピー 108, エクステント分割コピー 1907, エクステント結合コピー 1908) are
 *   jobs advanced by `copy.step`, one track per step (spec/002 A2); their finish steps (807, 907, 1007, 1707,
 *   1807, 2507, 2707, 2807) are the internal events `create.complete`, `split.complete`, `update.complete`,
 *   `xsplit.complete` and `join.complete`, which the controller raises when a job's cursor passes its last
 *   track.
 *
 * **How "extent X active" is modelled: parallel, as its own machine.** E1's per-extent state (extent info
 * use flag 206 = 1 while its Extent Update copy runs) is orthogonal to the pair's state and to the other
 * extents': a pair in `split` may have any subset of its extent slots active, each with its own copy and its
 * own image instant. That is a parallel composition, one region per extent slot, but the number of slots is
 * a preset bound, not a constant of the machine, and copyspec's control tables name a machine state by one
 * dotted key (src/control.ts). So the extent slot is a second machine, `extent-copy-extent`, one instance per
 * slot, running beside its pair's `extent-copy-pair` instance; the controller routes each command to the
 * instance that owns it (a write to a track of an active extent goes to that extent's machine, every other
 * write to the pair's). Nesting ("split.updating") would say only that some extent is active, and the
 * per-extent use flags would then be data that no machine checks.
 *
 * Copy I/O errors (spec/002 A12) are the fault event `copy.fault`: every copying phase has the substates
 * `copying` and `failed`; a failed job keeps its bits and cursor, and the reissued request (the same command
 * that started it) resumes it.
 *
 * Correspondences (anchors/replication_systems.md): `forming` is ShadowImage COPY(PD) / SIz Pending, but lazy
 * (spec/002 A14: writes only set CB, and nothing is copied in `formed`, unlike SI's PAIR); `splitting` is a
 * Quick Split, PSUS(SP) / V-Split, with copy-before-write of the written track (Storwize FlashCopy's rule "a
 * source write to an uncopied grain copies the grain first"); `split` is PSUS; a failed job is PSUE; E1's
 * Extent Update is an incremental FlashCopy (change recording) of one extent; E2 is DS8000 Data Set
 * FlashCopy; copy-on-read is FlashCopy's "a target read of an uncopied grain reads the source" and dm-clone's
 * hydration of a region on read.
 *
 * This file is the specification of control only. The data plane (src/extent-copy/controller.ts) holds the
 * volumes, the bitmaps and the copy jobs, decides from data which machine event a command is and which
 * instance it goes to, and takes each transition's operations from XState's pure `transition()`. The context
 * is the variant's fixed parameters; no guard reads data or a payload.
 */
import { setup } from 'xstate';
import { AssertionFailed } from '../src/assert.js';

/** The variant parameters; fixed for a controller's life. */
export interface ExtentControlInput {
  /** E1 volume pair plus Extent Update, E2 extent pairs, E3 volume pair plus Extent Split/Join. */
  readonly embodiment: 1 | 2 | 3;
  /** A5: a read of a copy-volume track not yet final answers NotReady, or copies the track first. */
  readonly copyRead: 'not-ready' | 'copy-on-read';
  /** A4: `literal` accepts an E1 split during `forming` and does not cancel the create copy (807 then wins). */
  readonly splitGuard: 'formed-only' | 'literal';
  /** A7: `literal` leaves UB set when an Extent Update completes (1007 as written). */
  readonly updateBits: 'cleared' | 'literal';
  /** A8: `literal` sets SB for an E3 write outside the extents (2607 as written) and keeps the extents at 2807. */
  readonly outsideWrites: 'tracked' | 'literal';
  /** A15: membership of a write in an extent by its track (recommended) or by its address (701, 1600, 2602). */
  readonly membership: 'track' | 'address';
  /** A11: `literal` does not check start ≤ end, so a copy loop whose exit test is i = T(end) can run away. */
  readonly validation: 'full' | 'literal';
}

/** The pair machine's events: host commands, the background copy, faults, and the completions the controller raises. */
export type PairEventType =
  | 'pair.create'
  | 'pair.split'
  | 'pair.delete'
  | 'pair.query'
  | 'extent.update'
  | 'extent.split'
  | 'extent.join'
  | 'host.write'
  | 'host.read'
  | 'extent.write'
  | 'extent.read'
  | 'copy.step'
  | 'copy.fault'
  | 'create.complete'
  | 'split.complete'
  | 'xsplit.complete'
  | 'join.complete';

export type ExtentEventType = 'extent.update' | 'host.write' | 'host.read' | 'copy.step' | 'copy.fault' | 'update.complete' | 'pair.delete';

/** The pair machine's states as dotted keys; controller and model both name a record's state by these. */
export type PairStateKey =
  | 'free'
  | 'forming.copying'
  | 'forming.failed'
  | 'formed'
  | 'splitting.copying'
  | 'splitting.failed'
  | 'split'
  | 'xsplitting.copying'
  | 'xsplitting.failed'
  | 'xsplit'
  | 'xjoining.copying'
  | 'xjoining.failed';

export type ExtentStateKey = 'inactive' | 'active.copying' | 'active.failed';

/** The copy processes of the seed, as job kinds (spec/002 §4 "the bitmap scanned"). */
export type CopyKind = 'create' | 'split' | 'update' | 'xsplit' | 'xjoin';

/** A difference bitmap of a record: CB (E2: the record's one bitmap), SB, UB. */
export type BitmapName = 'cb' | 'sb' | 'ub';

/** What a host write does to the pair's bitmaps (Fig 7, Fig 16, Fig 26): copy-before-write from one, then mark one. */
export interface WriteRoute {
  /** Copy the track first if its bit in this bitmap is set, then clear the bit (702-705, 709-712, 1602-1605, 2603-2606). */
  readonly copyBeforeWrite: BitmapName | null;
  /** Then set the track's bit in this bitmap (706, 1606, 2607). */
  readonly mark: BitmapName | null;
}

/** What a read of the copy volume gets (spec/002 A5). */
export type CopyReadRoute =
  | { readonly answer: 'not-ready' }
  | { readonly answer: 'final' }
  | { readonly answer: 'copy-on-read'; readonly bitmap: BitmapName };

function controllerOperation(): never {
  throw new AssertionFailed('extent-copy operations run in the controller; drive the machine with transition()');
}

type Guard = { readonly context: ExtentControlInput };

const guards = {
  embodiment1: ({ context }: Guard) => context.embodiment === 1,
  embodiment2: ({ context }: Guard) => context.embodiment === 2,
  embodiment3: ({ context }: Guard) => context.embodiment === 3,
  copyOnRead: ({ context }: Guard) => context.copyRead === 'copy-on-read',
  literalA4: ({ context }: Guard) => context.splitGuard === 'literal',
  literalA7: ({ context }: Guard) => context.updateBits === 'literal',
  literalA8: ({ context }: Guard) => context.outsideWrites === 'literal',
};

const actions = {
  createPair: controllerOperation,
  startCopy: (_: unknown, _params: { kind: CopyKind }) => controllerOperation(),
  resumeCopy: controllerOperation,
  copyNextTrack: controllerOperation,
  endCopy: controllerOperation,
  failCopy: controllerOperation,
  writeHost: (_: unknown, _params: WriteRoute) => controllerOperation(),
  readCopy: (_: unknown, _params: CopyReadRoute) => controllerOperation(),
  setExtents: controllerOperation,
  clearExtents: controllerOperation,
  activateExtent: controllerOperation,
  completeExtentUpdate: (_: unknown, _params: { clearUpdateBits: boolean }) => controllerOperation(),
  clearExtent: controllerOperation,
  deletePair: controllerOperation,
  reportPair: controllerOperation,
};

const write = (copyBeforeWrite: BitmapName | null, mark: BitmapName | null) => ({ type: 'writeHost' as const, params: { copyBeforeWrite, mark } });
const notReady = { type: 'readCopy' as const, params: { answer: 'not-ready' } as CopyReadRoute };
const finalRead = { type: 'readCopy' as const, params: { answer: 'final' } as CopyReadRoute };
const copyOnRead = (bitmap: BitmapName) => ({ type: 'readCopy' as const, params: { answer: 'copy-on-read', bitmap } as CopyReadRoute });

/** pair.query in every used state: the host sees its pair's progress and a failed job's status (A2, A12). */
const query = {
  'pair.query': {
    description: 'Report the pair\'s state, its extents and its copy job\'s status (running, or failed with the volume that failed).',
    actions: 'reportPair',
    meta: { seed: '002', rows: ['A2', 'A12'], ext: 'the seed has no query; spec/002 A2 exposes completion and A12 the error status' },
  },
} as const;

/** A copy job in a copying phase: one track per step, or an injected I/O error. */
function copying(stepMeta: object, faultTarget: string) {
  return {
    'copy.step': {
      description: 'Copy the track at the job\'s cursor if its bit is set, clear the bit, and move the cursor on (A2).',
      actions: 'copyNextTrack',
      meta: stepMeta,
    },
    'copy.fault': {
      target: faultTarget,
      description: 'An I/O error on the original or the copy at the cursor: nothing is copied, the bit stays set, the job fails (A12).',
      actions: 'failCopy',
      meta: { seed: '002', rows: ['A12'], ext: 'the seed has no I/O errors; spec/002 A12' },
    },
  } as const;
}

/** A failed job: the reissued request resumes it at its cursor (A12); the pair may also be deleted (A13). */
function failed(request: string, resumeMeta: object) {
  return {
    [request]: {
      target: 'copying',
      description: 'The host reissues the request: the job resumes at its cursor, every bit still set (A12).',
      actions: 'resumeCopy' as const,
      meta: resumeMeta,
    },
    'pair.delete': {
      target: '#extent-copy-pair.free',
      description: 'Delete a pair whose copy failed: no job is running (A13).',
      actions: 'deletePair' as const,
      meta: { seed: '002', rows: ['A13'], ext: 'the seed has no PairDelete; spec/002 A13' },
    },
  };
}

const deletePair = {
  'pair.delete': {
    target: '#extent-copy-pair.free',
    description: 'Delete the pair: no job is running, so the record returns to free (A13).',
    actions: 'deletePair',
    meta: { seed: '002', rows: ['A13'], ext: 'the seed has no PairDelete; spec/002 A13' },
  },
} as const;

export const pairMachine = setup({
  types: { context: {} as ExtentControlInput, input: {} as ExtentControlInput, events: {} as { type: PairEventType } },
  actions,
  guards,
}).createMachine({
  id: 'extent-copy-pair',
  description: 'One pair record of seed 002 (pair info 110, 1110 or 1909): its state, bitmaps and copy job.',
  context: ({ input }) => input,
  initial: 'free',
  states: {
    free: {
      description: 'Use flag 0: the record is unused.',
      on: {
        'pair.create': [
          {
            guard: 'embodiment1',
            target: 'forming.copying',
            description: 'E1 Pair Create: use=1, CB all 1, SB=UB=0, no extent in use; start the create copy at the first track (400, 401).',
            actions: ['createPair', { type: 'startCopy', params: { kind: 'create' } }],
            meta: { seed: '002', steps: [400, 401], paras: ['0010', '0011', '0012'], rows: ['E1 #1'] },
          },
          {
            guard: 'embodiment2',
            target: 'forming.copying',
            description: 'E2 Pair Create of one extent: use=1, the bitmap all 1 over [start, end]; start the create copy at T(start) (1400, 1401).',
            actions: ['createPair', { type: 'startCopy', params: { kind: 'create' } }],
            meta: { seed: '002', steps: [1400, 1401], paras: ['0064', '0065'], rows: ['E2 #1'] },
          },
          {
            target: 'forming.copying',
            description: 'E3 Pair Create: use=1, CB all 1, SB=0; start the create copy at the first track (2200, 2201).',
            actions: ['createPair', { type: 'startCopy', params: { kind: 'create' } }],
            meta: { seed: '002', steps: [2200, 2201], paras: ['0101', '0102', '0103'], rows: ['E3 #1'] },
          },
        ],
      },
    },
    forming: {
      description: '形成中: the create copy runs; writes only set CB (E2: the bitmap), so the copy catches up lazily.',
      initial: 'copying',
      on: {
        ...query,
        'host.write': {
          description: 'A write sets the track\'s CB bit (E2: its bit) and is applied (706/707, 1608/1606/1607, 2607/2608).',
          actions: write(null, 'cb'),
          meta: { seed: '002', steps: [700, 706, 707, 1600, 1608, 1606, 1607, 2600, 2607, 2608], paras: ['0023', '0076', '0126'], rows: ['E1 #3', 'E2 #3', 'E3 #3'] },
        },
        'host.read': {
          description: 'A read of the copy volume answers NotReady: nothing of it is final while forming (A5).',
          actions: notReady,
          meta: { seed: '002', rows: ['A5'], ext: 'the seed describes no reads; spec/002 A5' },
        },
      },
      states: {
        copying: {
          description: 'The create copy job runs.',
          on: {
            ...copying({ seed: '002', steps: [801, 802, 803, 804, 805, 806, 1701, 1702, 1703, 1704, 1705, 1706, 2501, 2502, 2503, 2504, 2505, 2506], paras: ['0032', '0080', '0111'], rows: ['E1 #2', 'E2 #2', 'E3 #2'] }, 'failed'),
            'create.complete': {
              target: '#extent-copy-pair.formed',
              description: 'The create copy passed its last track: the pair is formed (807, 1707, 2507).',
              actions: 'endCopy',
              meta: { seed: '002', steps: [807, 1707, 2507], paras: ['0038', '0086', '0117'], rows: ['E1 #2', 'E2 #2', 'E3 #2'] },
            },
            'pair.split': {
              guard: 'literalA4',
              target: '#extent-copy-pair.splitting.copying',
              description: 'LITERAL: 500 sets 分割中 whatever the state and starts the split copy; the create copy is not cancelled.',
              actions: { type: 'startCopy', params: { kind: 'split' } },
              meta: { seed: '002', steps: [500], paras: ['0014'], rows: ['A3', 'A4'], literal: 'A4' },
            },
          },
        },
        failed: {
          description: 'The create copy failed on an I/O error (A12); its bits and cursor are kept.',
          on: failed('pair.create', { seed: '002', steps: [400], rows: ['A12'], ext: 'a reissued Pair Create resumes the failed copy; spec/002 A12' }),
        },
      },
    },
    formed: {
      description: '形成完了: the create copy is done, but the copy is not kept equal (A14): writes only set CB.',
      on: {
        ...query,
        ...deletePair,
        'host.write': {
          description: 'A write sets the track\'s CB bit (E2: its bit) and is applied (706/707, 1606/1607, 2607/2608).',
          actions: write(null, 'cb'),
          meta: { seed: '002', steps: [700, 706, 707, 1600, 1608, 1606, 1607, 2600, 2607, 2608], paras: ['0023', '0076', '0126'], rows: ['E1 #3', 'E2 #3', 'E3 #3'] },
        },
        'host.read': {
          description: 'A read of the copy volume answers NotReady: formed is lazy, so the copy is not final (A5, A14).',
          actions: notReady,
          meta: { seed: '002', rows: ['A5', 'A14'], ext: 'the seed describes no reads; spec/002 A5' },
        },
        'pair.split': [
          {
            guard: 'embodiment1',
            target: 'splitting.copying',
            description: 'E1 Pair Split: the image instant; 分割中, start the split copy over CB from the first track (500).',
            actions: { type: 'startCopy', params: { kind: 'split' } },
            meta: { seed: '002', steps: [500], paras: ['0013', '0014'], rows: ['E1 #4', 'A3'] },
          },
          {
            guard: 'embodiment2',
            target: 'splitting.copying',
            description: 'E2 Pair Split of a list of records at one instant: 分割中, start each split copy at T(start) (1500, A10).',
            actions: { type: 'startCopy', params: { kind: 'split' } },
            meta: { seed: '002', steps: [1500], paras: ['0066', '0067'], rows: ['E2 #4', 'A10'] },
          },
        ],
        'extent.split': {
          guard: 'embodiment3',
          target: 'xsplitting.copying',
          description: 'E3 Extent Split: the image instant; store the extents, start the copy over CB of each extent in turn (2300, 2301).',
          actions: ['setExtents', { type: 'startCopy', params: { kind: 'xsplit' } }],
          meta: { seed: '002', steps: [2300, 2301], paras: ['0104', '0105', '0106'], rows: ['E3 #4', 'A3'] },
        },
      },
    },
    splitting: {
      description: '分割中: the split copy makes the copy the image of the split instant; writes copy their track first.',
      initial: 'copying',
      on: {
        ...query,
        'host.write': [
          {
            guard: 'embodiment1',
            description: 'E1: copy-before-write if CB is set (709-712), then set SB (706) and apply (707).',
            actions: write('cb', 'sb'),
            meta: { seed: '002', steps: [700, 701, 708, 709, 710, 711, 712, 706, 707], paras: ['0025', '0026', '0029'], rows: ['E1 #6'] },
          },
          {
            description: 'E2: copy-before-write if the bit is set (1602-1605), then apply (1607); no re-marking.',
            actions: write('cb', null),
            meta: { seed: '002', steps: [1600, 1601, 1602, 1603, 1604, 1605, 1607], paras: ['0070', '0071', '0074'], rows: ['E2 #6'] },
          },
        ],
        'host.read': [
          {
            guard: 'copyOnRead',
            description: 'Copy-on-read: copy the track first if its CB bit is set, then serve it from the copy (A5 option).',
            actions: copyOnRead('cb'),
            meta: { seed: '002', rows: ['A5'], ext: 'the seed describes no reads; spec/002 A5 copy-on-read' },
          },
          {
            description: 'A read of the copy volume answers NotReady until the split copy is done (A5).',
            actions: notReady,
            meta: { seed: '002', rows: ['A5'], ext: 'the seed describes no reads; spec/002 A5' },
          },
        ],
      },
      states: {
        copying: {
          description: 'The split copy job runs.',
          on: {
            ...copying({ seed: '002', steps: [901, 902, 903, 904, 905, 906, 1801, 1802, 1803, 1804, 1805, 1806], paras: ['0041', '0089'], rows: ['E1 #5', 'E2 #5'] }, 'failed'),
            'split.complete': {
              target: '#extent-copy-pair.split',
              description: 'The split copy passed its last track: the copy is the image of the split instant (907, 1807).',
              actions: 'endCopy',
              meta: { seed: '002', steps: [907, 1807], paras: ['0047', '0095'], rows: ['E1 #5', 'E2 #5'] },
            },
            'create.complete': {
              guard: 'literalA4',
              target: '#extent-copy-pair.formed',
              description: 'LITERAL: the create copy, never cancelled, reaches its end and 807 sets 形成完了 over 分割中.',
              actions: 'endCopy',
              meta: { seed: '002', steps: [807], paras: ['0038'], rows: ['A4'], literal: 'A4' },
            },
          },
        },
        failed: {
          description: 'The split copy failed on an I/O error (A12).',
          on: failed('pair.split', { seed: '002', steps: [500, 1500], rows: ['A12'], ext: 'a reissued Pair Split resumes the failed copy; spec/002 A12' }),
        },
      },
    },
    split: {
      description: '分割完了: the copy holds the split image (E1: with extents re-matched since); terminal but for delete (A13).',
      on: {
        ...query,
        ...deletePair,
        'host.write': [
          {
            guard: 'embodiment1',
            description: 'E1, a track in no active extent: set SB (706) and apply (707), so the difference stays tracked.',
            actions: write(null, 'sb'),
            meta: { seed: '002', steps: [700, 701, 708, 706, 707], paras: ['0023', '0025'], rows: ['E1 #7'] },
          },
          {
            description: 'E2: apply only; nothing is tracked any more (1601, 1608, 1607).',
            actions: write(null, null),
            meta: { seed: '002', steps: [1600, 1601, 1608, 1607], paras: ['0070', '0076'], rows: ['E2 #7'] },
          },
        ],
        'host.read': {
          description: 'A read of a final copy track is served (E1: outside every active extent; E2: the record\'s range) (A5).',
          actions: finalRead,
          meta: { seed: '002', rows: ['A5'], ext: 'the seed describes no reads; spec/002 A5' },
        },
        'extent.update': {
          guard: 'embodiment1',
          // An explicit self-target: XState counts a transition with neither target nor action as no transition.
          target: 'split',
          description: 'E1 Extent Update accepted: each extent takes a free extent slot, whose machine starts its copy (600, 601).',
          meta: { seed: '002', steps: [600, 601], paras: ['0015'], rows: ['E1 #8', 'A3', 'A9'] },
        },
      },
    },
    xsplitting: {
      description: 'エクステント分割中: the extent split copy makes the extents the image of the split instant.',
      initial: 'copying',
      on: {
        ...query,
        'extent.write': {
          description: 'A write inside an extent: copy-before-write if CB is set (2603-2606), then set SB (2607) and apply (2608).',
          actions: write('cb', 'sb'),
          meta: { seed: '002', steps: [2600, 2601, 2602, 2603, 2604, 2605, 2606, 2607, 2608], paras: ['0121', '0122', '0125', '0126'], rows: ['E3 #6'] },
        },
        'host.write': [
          {
            guard: 'literalA8',
            description: 'LITERAL: a write outside the extents sets SB (2607), which nothing outside the extents ever reads.',
            actions: write(null, 'sb'),
            meta: { seed: '002', steps: [2601, 2602, 2607, 2608], paras: ['0126'], rows: ['E3 #7', 'A8'], literal: 'A8' },
          },
          {
            description: 'A write outside the extents sets CB, so the next Extent Split still copies it (A8 fix), and is applied.',
            actions: write(null, 'cb'),
            meta: { seed: '002', steps: [2601, 2602, 2607, 2608], rows: ['E3 #7', 'A8'] },
          },
        ],
        'extent.read': [
          {
            guard: 'copyOnRead',
            description: 'Copy-on-read inside an extent: copy the track first if its CB bit is set, then serve it (A5 option).',
            actions: copyOnRead('cb'),
            meta: { seed: '002', rows: ['A5'], ext: 'the seed describes no reads; spec/002 A5 copy-on-read' },
          },
          {
            description: 'A read of an extent track answers NotReady until the extent split copy is done (A5).',
            actions: notReady,
            meta: { seed: '002', rows: ['A5'], ext: 'the seed describes no reads; spec/002 A5' },
          },
        ],
        'host.read': {
          description: 'A read of a copy track outside the extents answers NotReady: it is not part of any image (A5).',
          actions: notReady,
          meta: { seed: '002', rows: ['A5'], ext: 'the seed describes no reads; spec/002 A5' },
        },
      },
      states: {
        copying: {
          description: 'The extent split copy job runs, extent after extent.',
          on: {
            ...copying({ seed: '002', steps: [2700, 2701, 2702, 2703, 2704, 2705, 2706, 2708], paras: ['0129', '0130', '0136'], rows: ['E3 #5'] }, 'failed'),
            'xsplit.complete': {
              target: '#extent-copy-pair.xsplit',
              description: 'The copy passed the last track of the last extent: the extents hold the image (2708, 2707).',
              actions: 'endCopy',
              meta: { seed: '002', steps: [2708, 2707], paras: ['0136', '0137'], rows: ['E3 #5'] },
            },
          },
        },
        failed: {
          description: 'The extent split copy failed on an I/O error (A12).',
          on: failed('extent.split', { seed: '002', steps: [2300], rows: ['A12'], ext: 'a reissued Extent Split resumes the failed copy; spec/002 A12' }),
        },
      },
    },
    xsplit: {
      description: 'エクステント分割完了: the extents of the copy hold the image of the Extent Split instant (【0137】).',
      on: {
        ...query,
        ...deletePair,
        'extent.write': {
          description: 'A write inside an extent sets SB (2607) and is applied (2608).',
          actions: write(null, 'sb'),
          meta: { seed: '002', steps: [2600, 2601, 2607, 2608], paras: ['0126'], rows: ['E3 #8'] },
        },
        'host.write': [
          {
            guard: 'literalA8',
            description: 'LITERAL: a write outside the extents sets SB (2607), which nothing outside the extents ever reads.',
            actions: write(null, 'sb'),
            meta: { seed: '002', steps: [2601, 2607, 2608], paras: ['0126'], rows: ['E3 #7', 'A8'], literal: 'A8' },
          },
          {
            description: 'A write outside the extents sets CB (A8 fix) and is applied.',
            actions: write(null, 'cb'),
            meta: { seed: '002', steps: [2601, 2607, 2608], rows: ['E3 #7', 'A8'] },
          },
        ],
        'extent.read': {
          description: 'A read of an extent track is served: it holds the image (A5, 【0137】).',
          actions: finalRead,
          meta: { seed: '002', paras: ['0137'], rows: ['A5'], ext: 'the seed describes no reads; spec/002 A5' },
        },
        'host.read': {
          description: 'A read of a copy track outside the extents answers NotReady (A5).',
          actions: notReady,
          meta: { seed: '002', rows: ['A5'], ext: 'the seed describes no reads; spec/002 A5' },
        },
        'extent.join': {
          target: 'xjoining.copying',
          description: 'Extent Join: エクステント結合中, start the copy over SB of each extent in turn (2400).',
          actions: { type: 'startCopy', params: { kind: 'xjoin' } },
          meta: { seed: '002', steps: [2400], paras: ['0107', '0108'], rows: ['E3 #9', 'A3'] },
        },
      },
    },
    xjoining: {
      description: 'エクステント結合中: the join copy brings the extents up to date; writes set CB again.',
      initial: 'copying',
      on: {
        ...query,
        'host.write': {
          description: 'A write sets CB (2607) and is applied (2608), as while forming.',
          actions: write(null, 'cb'),
          meta: { seed: '002', steps: [2600, 2601, 2607, 2608], paras: ['0126'], rows: ['E3 #3'] },
        },
        'host.read': {
          description: 'A read of the copy volume answers NotReady while the join runs (A5).',
          actions: notReady,
          meta: { seed: '002', rows: ['A5'], ext: 'the seed describes no reads; spec/002 A5' },
        },
      },
      states: {
        copying: {
          description: 'The extent join copy job runs, extent after extent.',
          on: {
            ...copying({ seed: '002', steps: [2800, 2801, 2802, 2803, 2804, 2805, 2806, 2808], paras: ['0139', '0140', '0146'], rows: ['E3 #10'] }, 'failed'),
            'join.complete': [
              {
                guard: 'literalA8',
                target: '#extent-copy-pair.formed',
                description: 'LITERAL: the join copy is done and 2807 sets 形成完了, keeping the extent info.',
                actions: 'endCopy',
                meta: { seed: '002', steps: [2808, 2807], paras: ['0146', '0147'], rows: ['E3 #10', 'A8'], literal: 'A8' },
              },
              {
                target: '#extent-copy-pair.formed',
                description: 'The join copy is done: 形成完了, and the extent info is cleared (2807, A8).',
                actions: ['endCopy', 'clearExtents'],
                meta: { seed: '002', steps: [2808, 2807], paras: ['0146', '0147'], rows: ['E3 #10', 'A8'] },
              },
            ],
          },
        },
        failed: {
          description: 'The extent join copy failed on an I/O error (A12).',
          on: failed('extent.join', { seed: '002', steps: [2400], rows: ['A12'], ext: 'a reissued Extent Join resumes the failed copy; spec/002 A12' }),
        },
      },
    },
  },
});

/**
 * One E1 extent slot (extent info 205: use flag 206, start 207, end 208) of a pair in `split`. Its machine
 * is enabled only in embodiment 1; E2 and E3 have no extent slots.
 */
export const extentMachine = setup({
  types: { context: {} as ExtentControlInput, input: {} as ExtentControlInput, events: {} as { type: ExtentEventType } },
  actions,
  guards,
}).createMachine({
  id: 'extent-copy-extent',
  description: 'One E1 extent slot of a split pair: inactive, or active while its Extent Update copy runs.',
  context: ({ input }) => input,
  initial: 'inactive',
  states: {
    inactive: {
      description: 'Use flag 206 = 0.',
      on: {
        'extent.update': {
          guard: 'embodiment1',
          target: 'active.copying',
          description: 'Take this slot for one extent: use=1, start, end; this instant is the extent\'s image; start its copy at T(start) (600, 601).',
          actions: ['activateExtent', { type: 'startCopy', params: { kind: 'update' } }],
          meta: { seed: '002', steps: [600, 601], paras: ['0015'], rows: ['E1 #8'] },
        },
      },
    },
    active: {
      description: '"Extent X active": the Extent Update copy re-matches the extent to the image of its instant.',
      initial: 'copying',
      on: {
        'host.write': {
          description: 'A write to a track of the extent: copy-before-write if SB is set (702-705), then set UB (706) and apply (707).',
          actions: write('sb', 'ub'),
          meta: { seed: '002', steps: [700, 701, 702, 703, 704, 705, 706, 707], paras: ['0018', '0019', '0022', '0023'], rows: ['E1 #9', 'A1', 'A15'] },
        },
        'host.read': [
          {
            guard: 'copyOnRead',
            description: 'Copy-on-read: copy the track first if its SB bit is set, then serve it (A5 option).',
            actions: copyOnRead('sb'),
            meta: { seed: '002', rows: ['A5'], ext: 'the seed describes no reads; spec/002 A5 copy-on-read' },
          },
          {
            description: 'A read of a track of the extent answers NotReady until its update is done (A5).',
            actions: notReady,
            meta: { seed: '002', rows: ['A5'], ext: 'the seed describes no reads; spec/002 A5' },
          },
        ],
      },
      states: {
        copying: {
          description: 'The Extent Update copy job runs.',
          on: {
            ...copying({ seed: '002', steps: [1001, 1002, 1003, 1004, 1005, 1006], paras: ['0050', '0053', '0054', '0055'], rows: ['E1 #10'] }, 'failed'),
            'update.complete': [
              {
                guard: 'literalA7',
                target: '#extent-copy-extent.inactive',
                description: 'LITERAL: SB[R] := UB[R] and use=0 (1007); UB[R] is never cleared, so it leaks into the next update.',
                actions: ['endCopy', { type: 'completeExtentUpdate', params: { clearUpdateBits: false } }],
                meta: { seed: '002', steps: [1005, 1007], paras: ['0056'], rows: ['E1 #10', 'A7'], literal: 'A7' },
              },
              {
                target: '#extent-copy-extent.inactive',
                description: 'The copy passed T(end): SB[R] := UB[R], UB[R] := 0, use=0 (1007 with the A7 fix).',
                actions: ['endCopy', { type: 'completeExtentUpdate', params: { clearUpdateBits: true } }],
                meta: { seed: '002', steps: [1005, 1007], paras: ['0056'], rows: ['E1 #10', 'A7'] },
              },
            ],
          },
        },
        failed: {
          description: 'The Extent Update copy failed on an I/O error (A12).',
          on: {
            'extent.update': {
              target: 'copying',
              description: 'The host reissues the Extent Update of this extent: its copy resumes at the cursor (A12).',
              actions: 'resumeCopy',
              meta: { seed: '002', steps: [600], rows: ['A12'], ext: 'a reissued Extent Update resumes the failed copy; spec/002 A12' },
            },
            'pair.delete': {
              target: '#extent-copy-extent.inactive',
              description: 'The pair is deleted: the failed extent is dropped with it (A13).',
              actions: 'clearExtent',
              meta: { seed: '002', rows: ['A13'], ext: 'the seed has no PairDelete; spec/002 A13' },
            },
          },
        },
      },
    },
  },
});
