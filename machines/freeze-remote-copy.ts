/**
 * freeze-remote-copy (seed 001, JP2002-259183): the primary and the secondary controller of unordered remote
 * copy with freeze points, as two machines. The host freezes a consistency group; the primary sends the
 * group's image as of that instant and then "all data sent"; the secondary keeps the previous image until it
 * holds the whole new one (【0017】【0031】【0064】).
 *
 * Seed terms and the names chosen here (spec/001 §2, §3):
 *   凍結指示 FREEZE → `host.freeze`; 凍結処理完了報告 → the `freeze-done` result; 全凍結データ送信済み ALL_SENT →
 *   the `all-sent` message; 副凍結処理の完了報告 S_DONE → the `secondary-done` message; 受領報告 ACK → `ack`;
 *   正凍結モード PFM → the primary's state (`normal`, `freezing.*`); 副凍結モード SFM 0/1/2 → `receiving`,
 *   `noted`, `applying`; 副復旧処理 → `secondary.recover`. E1 volumes: PVOL 1120 → `pvol`, PDIFF 1140 → `pdiff`,
 *   SVOL 1150 → `svol`, SDIFFA/B 1170/1175 → `logA`/`logB`; bitmaps PBM/PDBM/SBM/SDBM are kept under their
 *   seed names in the controller. E2-E4 volumes: 正正 PP 1300 → `pp`, 正副 PS 1310 → `ps`, 副正 SP 1320 →
 *   `sp`, 副副 SS 1330 → `ss`; bitmaps A-D 1340-1380, SA 1370, SB 1390 keep their letters.
 *
 * E1 freeze phases F1/F2/F3 (Fig 7) are `freezing.draining`, `freezing.merging`, `freezing.awaiting`; E2/E3
 * phases (Fig 13, E3 PFM 1/2/3) are `freezing.splitting`, `freezing.transferring`, `freezing.awaiting`.
 *
 * Beyond the seed (issue 15 item 4), every such transition marked `meta.ext` with the product it follows:
 * online verify as DRBD's `drbdadm verify` does it (VerifyS/VerifyT, "Online verify found N blocks out of
 * sync"). `pair.verify`, taken only in `normal` (between freezes, when the secondary holds the last freeze's
 * image), puts the primary in `verifying`; each `verify.step` compares one group block, lowest first, of the
 * primary's copy of that image with the secondary's committed image (E1: PVOL with SVOL, skipping a block
 * written since the freeze, whose frozen value PVOL no longer holds; E2-E4: PS with SS, every block), and
 * records a difference; the step that compares the last block also takes `verify.complete`, raised by the
 * controller, which reports the blocks found and returns to `normal`. Host I/O and remote copy go on in
 * `verifying` as in `normal`; a freeze waits for the verify (busy). `block.corrupt` is the silent corruption
 * online verify exists to find: a block of SVOL or SS changes between freezes and nothing records it.
 *
 * These machines are the specification of control only. The controllers (src/freeze-remote-copy/) hold the
 * volumes, bitmaps and messages, decide from data which machine event a background step or a delivered
 * message is (for example `drain.complete` only when PBM is empty; a delivered message by the predicates its
 * transition's `meta.classify` names, src/freeze-remote-copy/classify.ts), and take the transition and its
 * operations from XState's pure `transition()`. Context is the variant's fixed parameters; no guard reads
 * data or an event's payload.
 */
import { and, or, setup } from 'xstate';
import { AssertionFailed } from '../src/assert.js';

/** The variant parameters both machines see; fixed for a controller's life. */
export interface FreezeControlInput {
  /** E1 log-structured redirect-on-write, E2 split mirror, E3 split plus send-ahead, E4 E2 encrypted. */
  readonly embodiment: 1 | 2 | 3 | 4;
  /** D1: `literal` is 2060→2030: a write in F1 to a block with PBM=0 sets PBM, so it drains into image N. */
  readonly drainWrite: 'fixed' | 'literal';
  /** D2: `literal` sends ALL_SENT when PBM is empty (2640) even with a DATA still unacknowledged. */
  readonly allSentWhen: 'fixed' | 'literal';
  /** D3: `literal` never folds SDIFFB back into SDIFFA at S2→S0 (2880). */
  readonly secondLog: 'fixed' | 'literal';
  /** D20: `literal` reads PVOL (2250) and clears PBM (2260) in two steps, so a write between them is lost. */
  readonly copyOrder: 'fixed' | 'literal';
  /**
   * D5: `literal` is the seed's messages, block numbers only: the secondary routes DATA by its mode and
   * cannot tell a stale message, and the primary sends the next image's DATA without waiting for ALL_SENT's ACK.
   */
  readonly generations: 'fixed' | 'literal';
}

/** The primary's machine events. The controller raises each from a host command, a step or a message. */
export type PrimaryEventType =
  | 'host.write'
  | 'host.read'
  | 'host.freeze'
  | 'copy.stage'
  | 'copy.send'
  | 'drain.complete'
  | 'merge.block'
  | 'merge.complete'
  | 'split.block'
  | 'split.complete'
  | 'transfer.complete'
  | 'secondary.done'
  | 'message.ack'
  | 'message.stale'
  | 'message.early'
  | 'message.drop'
  | 'primary.timeout'
  | 'primary.fail'
  | 'pair.verify'
  | 'verify.step'
  | 'verify.complete';

export type SecondaryEventType =
  | 'data.receive'
  | 'freeze.receive'
  | 'all-sent.receive'
  | 'apply.block'
  | 'apply.complete'
  | 'message.ack'
  | 'message.stale'
  | 'message.drop'
  | 'secondary.timeout'
  | 'secondary.restart'
  | 'secondary.recover'
  | 'block.corrupt';

/** Where a host write lands (Fig 4 2020-2080; Fig 15 3420-3490; Fig 22 4210-4330). */
export type WriteRoute =
  | 'pvol' // E1 NORMAL: PVOL, PBM (2030-2040)
  | 'redirect-or-next' // E1 F1, D1 fix: PDIFF when PBM∨PDBM, else PVOL and NEXT
  | 'literal-2060' // E1 F1 as written: PDIFF when PBM, else PVOL and PBM (D1)
  | 'pvol-drop-log' // E1 F2/F3, D4 fix: drop PDIFF[b], PVOL, PBM
  | 'pp-dirty' // E2 PFM off, E3 PFM 2: A (3490, 4260)
  | 'pp-dirty-clear-sent' // E3 PFM 0 and 3: D:=0, A (4280, 4250, 4260)
  | 'copy-on-write' // E2/E3 splitting: split b first if A[b], then B (3430-3470, 4290-4330)
  | 'pp-written-after'; // E2 after the split: B (3470)

/** Which data a copy step sends (Fig 5 2230-2280; Fig 16 3700; Fig 25 4820-4900). */
export type CopySource = 'pvol' | 'ps' | 'pp-ahead';

/** Where the secondary stores a DATA (Fig 6 2430-2470; Fig 17 3810; Fig 28 5420-5450). */
export type StoreTarget = 'current' | 'next';

export interface TransitionMeta {
  readonly seed: '001';
  readonly steps?: readonly number[];
  readonly paras?: readonly string[];
  readonly rows?: readonly string[];
  /** Set when the seed has no such transition and copyspec adds it; says why. */
  readonly ext?: string;
  /** Set on a transition only a literal-defect variant takes: the spec/001 defect (D1, D3, D20). */
  readonly literal?: string;
  /**
   * On a transition taken for a delivered message: the named predicates of src/freeze-remote-copy/classify.ts
   * (and the shared operation `olderThanStored`) that decide whether the message is this event.
   */
  readonly classify?: readonly string[];
}

function controllerOperation(): never {
  throw new AssertionFailed('freeze-remote-copy operations run in the controller; drive the machine with transition()');
}

type Guard = { readonly context: FreezeControlInput };

const guards = {
  embodiment1: ({ context }: Guard) => context.embodiment === 1,
  sendAhead: ({ context }: Guard) => context.embodiment === 3,
  literalD1: ({ context }: Guard) => context.drainWrite === 'literal',
  literalD3: ({ context }: Guard) => context.secondLog === 'literal',
  literalD20: ({ context }: Guard) => context.copyOrder === 'literal',
};

/** Why each transition beyond the seed exists: the product whose behaviour it follows (issue 15 item 4). */
const EXT = {
  verify: 'DRBD online verify (drbdadm verify: VerifyS/VerifyT, each block\'s digest compared with the peer\'s, "Online verify found N blocks out of sync") (issue 15 item 4)',
  verifyIo: 'DRBD online verify runs while application I/O and replication go on (issue 15 item 4)',
  corrupt: 'a silent corruption of the secondary\'s committed image (lost or misdirected write, bit rot), the fault DRBD online verify finds (issue 15 item 4)',
} as const;

/** Handled the same way in every state of a live primary. */
const livePrimary = {
  'message.ack': {
    description: 'An ACK arrives: the acknowledged message stops being retransmitted (2280, 2710).',
    actions: 'receiveAck',
    meta: { seed: '001', steps: [2280], paras: ['0045'], classify: ['isAck'] },
  },
  'message.stale': {
    description: 'A message of an earlier generation or a duplicate arrives: acknowledge it again, change nothing.',
    actions: 'acknowledgeStale',
    meta: { seed: '001', rows: ['D5'], ext: 'generation numbers are copyspec\'s (spec/001 D5)', classify: ['doneOfEarlierFreeze'] },
  },
  'primary.timeout': {
    description: 'The retransmission timer fires: send every unacknowledged message again.',
    actions: 'retransmit',
    meta: { seed: '001', rows: ['§6 link down'], ext: 'the seed assumes a reliable link; retransmission is copyspec\'s' },
  },
  'primary.fail': {
    target: '#primary.failed',
    description: 'The primary storage system is lost at this step; the secondary host will take over (【0025】【0097】).',
    meta: { seed: '001', paras: ['0025', '0097'] },
  },
} as const;

/**
 * Host I/O and remote copy between freezes (PFM off): the same in `normal` and, as DRBD's verify interleaves
 * with application I/O, in `verifying`.
 */
const HOST_IO_BETWEEN_FREEZES = {
  'host.write': [
    {
      guard: 'embodiment1',
      description: 'E1: write PVOL and set PBM (2030, 2040).',
      actions: { type: 'writeHost', params: { route: 'pvol' } },
      meta: { seed: '001', steps: [2010, 2020, 2030, 2040, 2050] },
    },
    {
      guard: 'sendAhead',
      description: 'E3 PFM 0: clear D, set A, write PP (4280, 4250, 4260, 4270).',
      actions: { type: 'writeHost', params: { route: 'pp-dirty-clear-sent' } },
      meta: { seed: '001', steps: [4280, 4250, 4260, 4270], rows: ['D14'] },
    },
    {
      description: 'E2: set A, write PP (3490, 3480); nothing is sent until a freeze.',
      actions: { type: 'writeHost', params: { route: 'pp-dirty' } },
      meta: { seed: '001', steps: [3420, 3490, 3480] },
    },
  ],
  'host.read': {
    description: 'Serve a read from PVOL or PP, which hold the newest data outside a freeze (Fig 10).',
    actions: 'readHost',
    meta: { seed: '001', steps: [3205, 3250] },
  },
  'copy.send': [
    {
      guard: 'embodiment1',
      description: 'E1 remote copy: clear PBM and read PVOL in one step, send DATA (2230-2270, D20 fix).',
      actions: { type: 'sendData', params: { source: 'pvol' } },
      meta: { seed: '001', steps: [2230, 2250, 2260, 2270], rows: ['P2', 'D20'] },
    },
    {
      guard: 'sendAhead',
      description: 'E3 send-ahead: pick A∧¬D, set D, send PP (4820-4860, D12 fix).',
      actions: { type: 'sendData', params: { source: 'pp-ahead' } },
      meta: { seed: '001', steps: [4820, 4840, 4850, 4860], rows: ['D12'] },
    },
  ],
  'copy.stage': {
    guard: and(['embodiment1', 'literalD20']),
    description: 'LITERAL: read PVOL into RAM (2250); PBM is cleared only by the next step (2260).',
    actions: 'stageBlock',
    meta: { seed: '001', steps: [2240, 2250], rows: ['D20'], literal: 'D20' },
  },
} as const;

/** The transitions of host I/O as `verifying` takes them: the same, marked as taken during an online verify. */
function duringVerify<T extends Record<string, unknown>>(transitions: T): T {
  const mark = (t: { readonly meta: { readonly ext?: string } }) => ({ ...t, meta: { ...t.meta, ext: t.meta.ext === undefined ? EXT.verifyIo : `${t.meta.ext}; ${EXT.verifyIo}` } });
  return Object.fromEntries(Object.entries(transitions).map(([event, t]) => [event, Array.isArray(t) ? t.map(mark) : mark(t as { meta: object })])) as T;
}

export const primaryMachine = setup({
  types: {
    context: {} as FreezeControlInput,
    input: {} as FreezeControlInput,
    events: {} as { type: PrimaryEventType },
  },
  actions: {
    writeHost: (_, _params: { route: WriteRoute }) => controllerOperation(),
    readHost: controllerOperation,
    acceptFreeze: controllerOperation,
    sendFreeze: controllerOperation,
    sendData: (_, _params: { source: CopySource }) => controllerOperation(),
    stageBlock: controllerOperation,
    completeDrain: controllerOperation,
    mergeBlock: controllerOperation,
    splitBlock: controllerOperation,
    foldWrittenIntoDirty: controllerOperation,
    forgetSentAhead: controllerOperation,
    completeFreeze: controllerOperation,
    receiveAck: controllerOperation,
    acknowledgeStale: controllerOperation,
    dropMessage: controllerOperation,
    retransmit: controllerOperation,
    startVerify: controllerOperation,
    verifyNextBlock: controllerOperation,
    reportVerify: controllerOperation,
  },
  guards,
}).createMachine({
  id: 'primary',
  description: 'Primary DKC 1030 of seed 001: host I/O, remote copy and the freeze task for one consistency group.',
  context: ({ input }) => input,
  initial: 'normal',
  states: {
    normal: {
      description: '通常 (PFM off): host writes are recorded for remote copy.',
      on: {
        ...livePrimary,
        ...HOST_IO_BETWEEN_FREEZES,
        'host.freeze': [
          {
            guard: 'embodiment1',
            target: 'freezing.draining',
            description: 'E1: the freeze instant; PFM on and FREEZE to the secondary (2610, 2620).',
            actions: ['acceptFreeze', 'sendFreeze'],
            meta: { seed: '001', steps: [2610, 2620], paras: ['0034'], rows: ['P3'] },
          },
          {
            target: 'freezing.splitting',
            description: 'E2/E3: the freeze instant; PFM on, the split from PP to PS begins (3620, 4420).',
            actions: 'acceptFreeze',
            meta: { seed: '001', steps: [3620, 4420] },
          },
        ],
        'pair.verify': {
          target: 'verifying',
          description: 'Start an online verify of the last freeze\'s image: the walk begins at group block 0.',
          actions: 'startVerify',
          meta: { seed: '001', ext: EXT.verify },
        },
      },
    },
    verifying: {
      description: 'VerifyS: an online verify walks the group one block a step, comparing the primary\'s data with the committed image, while host I/O and remote copy go on.',
      on: {
        ...duringVerify(livePrimary),
        ...duringVerify(HOST_IO_BETWEEN_FREEZES),
        'verify.step': {
          description: 'Compare one block (E1 PVOL with SVOL, skipping a block written since the freeze; E2-E4 PS with SS); record it when they differ.',
          actions: 'verifyNextBlock',
          meta: { seed: '001', ext: EXT.verify },
        },
        'verify.complete': {
          target: 'normal',
          description: 'Every block is compared: report the blocks found to differ, clear the record; the next freeze may begin.',
          actions: 'reportVerify',
          meta: { seed: '001', ext: EXT.verify },
        },
      },
    },
    freezing: {
      description: '凍結中 (PFM on): from the freeze instruction to its completion report; a second freeze is busy (D9).',
      // Every way in names its phase; `draining` is only XState's required default.
      initial: 'draining',
      on: {
        ...livePrimary,
        'host.read': {
          description: 'E1: PDIFF when PDBM[b], else PVOL; E2/E3: PP (Fig 10 3205-3250).',
          actions: 'readHost',
          meta: { seed: '001', steps: [3205, 3210, 3230, 3250], paras: ['0099'] },
        },
      },
      states: {
        draining: {
          description: 'E1 F1 (2620-2640): send every block whose frozen value is unsent; new writes go to PDIFF or NEXT.',
          on: {
            'host.write': [
              {
                guard: 'literalD1',
                description: 'LITERAL 2060→2030: a block already sent is written to PVOL and set in PBM, so it drains into image N.',
                actions: { type: 'writeHost', params: { route: 'literal-2060' } },
                meta: { seed: '001', steps: [2060, 2030, 2040], rows: ['P5', 'D1'], literal: 'D1' },
              },
              {
                description: 'Redirect-on-write: PDIFF when PBM∨PDBM (2060-2080), else PVOL and NEXT (D1 fix).',
                actions: { type: 'writeHost', params: { route: 'redirect-or-next' } },
                meta: { seed: '001', steps: [2060, 2070, 2080], paras: ['0054', '0060'], rows: ['P4', 'D1'] },
              },
            ],
            'copy.send': {
              description: 'Drain: send a frozen block of image N (2625-2635 run RC).',
              actions: { type: 'sendData', params: { source: 'pvol' } },
              meta: { seed: '001', steps: [2625, 2630, 2260, 2270], rows: ['P6'] },
            },
            'copy.stage': {
              guard: 'literalD20',
              description: 'LITERAL: read PVOL into RAM (2250) before clearing PBM.',
              actions: 'stageBlock',
              meta: { seed: '001', steps: [2250], rows: ['D20'], literal: 'D20' },
            },
            'drain.complete': {
              target: 'merging',
              description: 'PBM empty and (D2 fix) every DATA acknowledged: send ALL_SENT, fold NEXT into PBM (2640, 2650).',
              actions: 'completeDrain',
              meta: { seed: '001', steps: [2640, 2650], rows: ['P7', 'D1', 'D2'] },
            },
          },
        },
        merging: {
          description: 'E1 F2 (2660-2695): fold PDIFF back into PVOL; blocks merged are sent with the next image.',
          on: {
            'host.write': {
              description: 'After ALL_SENT: drop PDIFF[b], write PVOL, set PBM (D4 fix, 【0059】).',
              actions: { type: 'writeHost', params: { route: 'pvol-drop-log' } },
              meta: { seed: '001', paras: ['0059'], rows: ['D4'] },
            },
            'merge.block': {
              description: 'PVOL[b] := PDIFF[b]; PDBM[b] := 0; PBM[b] := 1 (2670-2695).',
              actions: 'mergeBlock',
              meta: { seed: '001', steps: [2670, 2680, 2690, 2695], rows: ['P8'] },
            },
            'merge.complete': {
              target: 'awaiting',
              description: 'PDBM empty: wait for S_DONE (2660, 2700).',
              meta: { seed: '001', steps: [2660, 2700], rows: ['P9'] },
            },
            'copy.send': {
              description: 'Next-image remote copy, once ALL_SENT is acknowledged (D5).',
              actions: { type: 'sendData', params: { source: 'pvol' } },
              meta: { seed: '001', steps: [2230, 2270], rows: ['P2', 'D5'] },
            },
            'copy.stage': {
              guard: 'literalD20',
              description: 'LITERAL: read PVOL into RAM (2250) before clearing PBM.',
              actions: 'stageBlock',
              meta: { seed: '001', steps: [2250], rows: ['D20'], literal: 'D20' },
            },
            'message.early': {
              description: 'S_DONE before the merge has finished: not listened for yet (2700); the secondary retransmits.',
              actions: 'dropMessage',
              meta: { seed: '001', steps: [2700], ext: 'the seed\'s link never delivers early', classify: ['doneOfEarlierFreeze', 'doneBeforeAwaited'] },
            },
          },
        },
        splitting: {
          description: 'E2/E3 split (Fig 13(b), E3 PFM 1): PP is copied to PS block by block, copy-on-write for host writes.',
          on: {
            'host.write': {
              description: 'Copy-on-write: split b first when A[b] (PP→PS, A:=0, C:=1), then B:=1 and write PP.',
              actions: { type: 'writeHost', params: { route: 'copy-on-write' } },
              meta: { seed: '001', steps: [3430, 3440, 3450, 3460, 3470, 3480, 4290, 4300, 4310, 4320, 4330] },
            },
            'split.block': {
              description: 'Split one block: PS[b] := PP[b] (encrypted in E4, L210), A:=0, C:=1 (3650-3670, 4620-4650).',
              actions: 'splitBlock',
              meta: { seed: '001', steps: [3650, 3660, 3670, 4630], paras: ['0178'] },
            },
            'split.complete': [
              {
                guard: 'sendAhead',
                target: 'transferring',
                description: 'E3: A empty; fold B into A (D13 fix) and set PFM 2 (4670).',
                actions: 'foldWrittenIntoDirty',
                meta: { seed: '001', steps: [4670], rows: ['D13'] },
              },
              {
                target: 'transferring',
                description: 'E2: A empty; start the transfer loop (3640→3690).',
                meta: { seed: '001', steps: [3640, 3690] },
              },
            ],
            'copy.send': {
              guard: 'sendAhead',
              description: 'E3 PFM 1: send a split block not already sent ahead, C∧¬D (4880-4900).',
              actions: { type: 'sendData', params: { source: 'ps' } },
              meta: { seed: '001', steps: [4880, 4890, 4900], rows: ['D15'] },
            },
          },
        },
        transferring: {
          description: 'E2 transfer (Fig 13(c)) / E3 PFM 2: send PS\'s C blocks; then FREEZE to the secondary.',
          on: {
            'host.write': [
              {
                guard: 'sendAhead',
                description: 'E3 PFM 2: set A and write PP (4260, 4270).',
                actions: { type: 'writeHost', params: { route: 'pp-dirty' } },
                meta: { seed: '001', steps: [4260, 4270] },
              },
              {
                description: 'E2 after the split: set B and write PP (3470, 3480).',
                actions: { type: 'writeHost', params: { route: 'pp-written-after' } },
                meta: { seed: '001', steps: [3470, 3480] },
              },
            ],
            'copy.send': {
              description: 'Send one PS block with C (3700, 3710; E3 C∧¬D 4880-4900).',
              actions: { type: 'sendData', params: { source: 'ps' } },
              meta: { seed: '001', steps: [3700, 3710, 4880, 4900], rows: ['D10'] },
            },
            'transfer.complete': [
              {
                guard: 'sendAhead',
                target: 'awaiting',
                description: 'E3: C∧¬D empty and acknowledged: C&=¬D, D:=0, PFM 3, FREEZE (4940-4960, D14, D15).',
                actions: ['forgetSentAhead', 'sendFreeze'],
                meta: { seed: '001', steps: [4930, 4940, 4950, 4960], rows: ['D14', 'D15'] },
              },
              {
                target: 'awaiting',
                description: 'E2: C empty and every block acknowledged (D10 fix): FREEZE to the secondary (3720).',
                actions: 'sendFreeze',
                meta: { seed: '001', steps: [3720], rows: ['D10'] },
              },
            ],
          },
        },
        awaiting: {
          description: 'E1 F3 / E2 wait / E3 PFM 3: the secondary has the image; wait for S_DONE.',
          on: {
            'host.write': [
              {
                guard: 'embodiment1',
                description: 'E1 F3: drop PDIFF[b], write PVOL, set PBM (D4 fix).',
                actions: { type: 'writeHost', params: { route: 'pvol-drop-log' } },
                meta: { seed: '001', paras: ['0059'], rows: ['D4'] },
              },
              {
                guard: 'sendAhead',
                description: 'E3 PFM 3: clear D, set A, write PP (4250-4270).',
                actions: { type: 'writeHost', params: { route: 'pp-dirty-clear-sent' } },
                meta: { seed: '001', steps: [4250, 4260, 4270] },
              },
              {
                description: 'E2: set B and write PP (3470, 3480).',
                actions: { type: 'writeHost', params: { route: 'pp-written-after' } },
                meta: { seed: '001', steps: [3470, 3480] },
              },
            ],
            'copy.send': [
              {
                guard: 'embodiment1',
                description: 'E1: next-image remote copy once ALL_SENT is acknowledged (P2, D5).',
                actions: { type: 'sendData', params: { source: 'pvol' } },
                meta: { seed: '001', steps: [2230, 2270], rows: ['P2', 'D5'] },
              },
              {
                guard: 'sendAhead',
                description: 'E3 PFM 3: send-ahead of the next image once FREEZE is acknowledged (4820-4860, D5).',
                actions: { type: 'sendData', params: { source: 'pp-ahead' } },
                meta: { seed: '001', steps: [4820, 4840, 4850, 4860], rows: ['D5', 'D12'] },
              },
            ],
            'copy.stage': {
              guard: and(['embodiment1', 'literalD20']),
              description: 'LITERAL: read PVOL into RAM (2250) before clearing PBM.',
              actions: 'stageBlock',
              meta: { seed: '001', steps: [2250], rows: ['D20'], literal: 'D20' },
            },
            'secondary.done': {
              target: '#primary.normal',
              description: 'S_DONE: PFM off, report completion to the host (2710-2730; E2 A:=B, B:=0 3750-3780; E3 5000).',
              actions: 'completeFreeze',
              meta: { seed: '001', steps: [2710, 2720, 2730, 3740, 3750, 3760, 3770, 3780, 5010, 5020], classify: ['doneOfEarlierFreeze', 'doneBeforeAwaited'] },
            },
          },
        },
      },
    },
    failed: {
      description: 'The primary is lost (【0025】); messages still in flight reach the secondary, nothing reaches it.',
      on: {
        'message.drop': {
          description: 'A message for the failed primary arrives and is lost.',
          actions: 'dropMessage',
          meta: { seed: '001', paras: ['0025'], ext: 'primary failure as an ordinary action', classify: ['receiverFailed'] },
        },
      },
    },
  },
});

/** Handled the same way while the secondary is alive. */
const liveSecondary = {
  'message.ack': {
    description: 'The primary acknowledged S_DONE: stop retransmitting it.',
    actions: 'receiveAck',
    meta: { seed: '001', rows: ['D5'], ext: 'S_DONE is acknowledged (spec/001 D5)', classify: ['isAck'] },
  },
  'message.stale': {
    description: 'A stale or duplicate message (earlier generation, or older than the block stored): acknowledge, change nothing.',
    actions: 'acknowledgeStale',
    meta: { seed: '001', rows: ['D5'], ext: 'generation and sequence numbers are copyspec\'s', classify: ['ofCommittedImage', 'olderThanStored', 'repeatedFreeze', 'repeatedAllSent'] },
  },
  'secondary.timeout': {
    description: 'The retransmission timer fires: send S_DONE again if unacknowledged.',
    actions: 'retransmit',
    meta: { seed: '001', rows: ['D5'], ext: 'retransmission is copyspec\'s' },
  },
  'secondary.restart': {
    description: 'Controller restart: modes, bitmaps and logs are reloaded from durable storage (D17).',
    actions: 'reload',
    meta: { seed: '001', rows: ['D17', '§6 secondary crash'], ext: 'the seed keeps them in RAM; spec/001 D17' },
  },
} as const;

export const secondaryMachine = setup({
  types: {
    context: {} as FreezeControlInput,
    input: {} as FreezeControlInput,
    events: {} as { type: SecondaryEventType },
  },
  actions: {
    storeData: (_, _params: { target: StoreTarget }) => controllerOperation(),
    noteFreeze: controllerOperation,
    commit: controllerOperation,
    applyBlock: controllerOperation,
    finishApply: (_, _params: { foldSecondLog: boolean }) => controllerOperation(),
    sendDone: controllerOperation,
    receiveAck: controllerOperation,
    acknowledgeStale: controllerOperation,
    dropMessage: controllerOperation,
    retransmit: controllerOperation,
    reload: controllerOperation,
    discardUncommitted: controllerOperation,
    applyAll: controllerOperation,
    corruptBlock: controllerOperation,
  },
  guards,
}).createMachine({
  id: 'secondary',
  description: 'Secondary DKC 1040 of seed 001: receives blocks, commits a freeze image, recovers on the secondary host\'s order.',
  context: ({ input }) => input,
  initial: 'receiving',
  states: {
    receiving: {
      description: 'SFM=0 (E1) / SFM off (E3) / phases (a)-(c) (E2): the committed image F(k) is intact; blocks of F(k+1) arrive.',
      on: {
        ...liveSecondary,
        'data.receive': {
          description: 'Store the block of the next image (E1 SDIFFA 2440/2450; E2/E3 SP with SA 3810, 5440) and ACK after the store (D7).',
          actions: [{ type: 'storeData', params: { target: 'current' } }],
          meta: { seed: '001', steps: [2410, 2420, 2430, 2440, 2450, 3810, 5410, 5440, 5450], rows: ['S1', 'D7'], classify: ['ofNextImage', 'olderThanStored'] },
        },
        'freeze.receive': [
          {
            guard: 'embodiment1',
            target: 'noted',
            description: 'E1: FREEZE noted, SFM=1 (2810); the commit waits for ALL_SENT.',
            actions: 'noteFreeze',
            meta: { seed: '001', steps: [2810, 2820], rows: ['S3'], classify: ['ofNextImage', 'repeatedFreeze'] },
          },
          {
            target: 'applying',
            description: 'E2/E3: FREEZE is the commit: SP is now F(k+1); split SP to SS (4010, 5210).',
            actions: 'commit',
            meta: { seed: '001', steps: [4010, 5210], paras: ['0138', '0175'], classify: ['ofNextImage', 'repeatedFreeze'] },
          },
        ],
        'all-sent.receive': {
          guard: 'embodiment1',
          target: 'applying',
          description: 'E1: ALL_SENT before FREEZE (the link reorders): commit, SFM=2 (2825).',
          actions: 'commit',
          meta: { seed: '001', steps: [2825], rows: ['S4', 'D5'], classify: ['ofNextImage', 'repeatedAllSent'] },
        },
        'block.corrupt': {
          description: 'A silent corruption of a block of the committed image (SVOL, SS) between freezes; the controllers record nothing.',
          actions: 'corruptBlock',
          meta: { seed: '001', ext: EXT.corrupt },
        },
        'secondary.recover': {
          target: 'recovered',
          description: 'Recovery: erase the uncommitted log; SVOL/SS is the last committed image (3020, 3060-3080).',
          actions: 'discardUncommitted',
          meta: { seed: '001', steps: [3010, 3020, 3060, 3070, 3080], paras: ['0138'], rows: ['S8', 'D6'] },
        },
      },
    },
    noted: {
      description: 'E1 SFM=1: FREEZE received, waiting for ALL_SENT; recovery still yields the previous image.',
      on: {
        ...liveSecondary,
        'data.receive': {
          description: 'Store into SDIFFA, SBM (2440, 2450), ACK after the store.',
          actions: [{ type: 'storeData', params: { target: 'current' } }],
          meta: { seed: '001', steps: [2430, 2440, 2450], rows: ['S1'], classify: ['ofNextImage', 'olderThanStored'] },
        },
        'all-sent.receive': {
          target: 'applying',
          description: 'ALL_SENT: the image is complete in SVOL+SDIFFA; commit, SFM=2 (2825).',
          actions: 'commit',
          meta: { seed: '001', steps: [2820, 2825], rows: ['S4'], classify: ['ofNextImage', 'repeatedAllSent'] },
        },
        'secondary.recover': {
          target: 'recovered',
          description: 'Abort the freeze, SFM=0, erase SDIFFA and SDIFFB, clear SBM and SDBM (3040-3080, D6 fix).',
          actions: 'discardUncommitted',
          meta: { seed: '001', steps: [3010, 3040, 3050, 3060, 3070, 3080], rows: ['S7', 'D6'] },
        },
      },
    },
    applying: {
      description: 'E1 SFM=2 / E2 phase (d) / E3 SFM on: the committed image is being copied into SVOL/SS.',
      on: {
        ...liveSecondary,
        'data.receive': {
          guard: or(['embodiment1', 'sendAhead']),
          description: 'A block of the image after the committed one (E1, E3; E2 sends none while the secondary splits): E1 SDIFFB, SDBM (2460, 2470); E3 copy-on-write, SB (5430-5450).',
          actions: [{ type: 'storeData', params: { target: 'next' } }],
          meta: { seed: '001', steps: [2460, 2470, 5420, 5430, 5440, 5450], paras: ['0060'], rows: ['S2', 'D16'], classify: ['ofNextImage', 'olderThanStored'] },
        },
        'apply.block': {
          description: 'Copy one block of the committed image into place (2830-2870; 4020-4030, decrypting in E4 P250; 5220-5240).',
          actions: 'applyBlock',
          meta: { seed: '001', steps: [2830, 2840, 2850, 2860, 2870, 4020, 4030, 5220], paras: ['0179'], rows: ['S5'] },
        },
        'apply.complete': [
          {
            guard: 'literalD3',
            target: 'receiving',
            description: 'LITERAL: SFM=0 and S_DONE (2880, 2890); SDIFFB is never folded back (D3).',
            actions: [{ type: 'finishApply', params: { foldSecondLog: false } }, 'sendDone'],
            meta: { seed: '001', steps: [2880, 2890], rows: ['S6', 'D3'], literal: 'D3' },
          },
          {
            target: 'receiving',
            description: 'Fold the second log into the first (D3 fix; E3 SA:=SB, SB:=0 5260), mode off, S_DONE.',
            actions: [{ type: 'finishApply', params: { foldSecondLog: true } }, 'sendDone'],
            meta: { seed: '001', steps: [2880, 2890, 4050, 5250, 5260, 5270, 5280], rows: ['S6', 'D3'] },
          },
        ],
        'secondary.recover': {
          target: 'recovered',
          description: 'Finish applying the committed image first (3030), then erase the logs: the current freeze image.',
          actions: ['applyAll', 'discardUncommitted'],
          meta: { seed: '001', steps: [3030, 3060, 3070, 3080], paras: ['0062', '0063'], rows: ['S9'] },
        },
      },
    },
    recovered: {
      description: 'Taken over by the secondary host; the remote copy is over.',
      on: {
        'message.drop': {
          description: 'A message arrives after recovery and is lost.',
          actions: 'dropMessage',
          meta: { seed: '001', ext: 'after takeover nothing is received', classify: ['receiverRecovered'] },
        },
      },
    },
  },
});

export type PrimaryMachine = typeof primaryMachine;
export type SecondaryMachine = typeof secondaryMachine;
