/**
 * failover-failback (seed 003, JP 2000-154045): the master controller DKC1 120 and the backup controller
 * DKC2 420 of a two-site pair, as two machines. The master fails; host 410 swaps the backup in (SWAP), which
 * records its own writes in DT2; when the master is back, Resync copies back only the flagged tracks (DT2,
 * OR DT1 in embodiment 1), DELPAIR drains the rest, control is handed back to host 110 and pair recovery
 * restarts replication without a full copy (【0032】-【0041】, spec/003 §3, §4).
 *
 * Seed terms and the names chosen here (spec/003 §2, §3):
 *   マスターシステム 100 / DKC1 120 → the `master` machine; バックアップシステム 400 / DKC2 420 → `backup`;
 *   ホスト 110 / 410 → H1 / H2, site 1 / site 2 of `host.write`; 差分管理テーブル 180 (DT1) → `dt1`; 差分管理テーブル
 *   480 (DT2) → `dt2`; ペア状態 PST1/PST2 → the machines' states: PST1 = COPY → `primary`; PST2 = 通常 → `secondary`
 *   (with a pair) or `deleted` (after DELPAIR, 4050); SWAP → `swap`; COPY → `copy.failback`, with DELPAIR
 *   pending `copy.draining` and `copy.confirming`; インターフェイスケーブル 600 → the link (src/failover-failback/
 *   wire.ts); SWAP 要求 (1010) → `host.swap`; Resync 要求 (3010) → `host.resync`; DELPAIR 要求 (4010) →
 *   `host.delpair`; 制御の移行 (4070) → `host.hand-over`; ペア回復要求 (4080) → `host.pair-recover`; the
 *   differential copy JOB (3040-3070) → `failback.send`; the master's asynchronous copy (【0025】) → `copy.send`.
 *
 * The system phases G0-G7 of spec/003 §3 are not states of either machine; `phaseOf` below derives them
 * from the pair of states. The master's role from its failure to pair recovery is explicit (A3): `failed`
 * while it is down, then `fenced.target` (it refuses host writes, keeps DT1, its copy job is suspended, and
 * it accepts the backup's transfers) and `fenced.handed-over` after 4070.
 *
 * Choices where the spec leaves one (spec/003 §8, the recommended ones unless a literal variant says not):
 *   A1  the diff job clears a track's DT2 bit in the step that snapshots and sends it; a transfer that is
 *       lost (its data and its acknowledgement both gone from cable 600) sets the bit again;
 *   A2  a host-410 write is recorded in DT2 in SWAP and in COPY;
 *   A3  the master is fenced before the backup accepts writes: `host.swap` from `secondary` or `deleted`
 *       first powers off a live master through a fence device (STONITH, outside cable 600), so a false
 *       failure report cannot give two writers; a master that recovers comes back fenced;
 *   A4  DT1 that cannot be read at Resync (cable 600 down) sets every DT2 bit: a full copy;
 *   A5  the drain clears bits exactly as the diff job does (it is the diff job);
 *   A6  the OR of 3020 is one atomic step;
 *   A7  one consumer of DT2: DELPAIR lets the diff job drain and completes only when DT2 is empty and no
 *       transfer is in flight, by a final DELPAIR message to DKC1 that DKC1 acknowledges;
 *   A8  host-410 writes during DELPAIR are refused; A9 Resync only from SWAP, DELPAIR only from COPY;
 *   A10 a SWAP from COPY (the master failed again) keeps DT2;
 *   A11 with cable 600 down the bits are kept and transfers retried; a pending DELPAIR stays pending, and
 *       fails (the `delpair-failed` result) when the backup fails or host 410 swaps back;
 *   A12 embodiment 3 writes M and B as one atomic step, acknowledged after both; with cable 600 down or the
 *       backup not a replication target the write is refused (`fenced`, Hitachi's fence level data), so no
 *       acknowledged write is ever at one site only and no in-flight track exists.
 * Messages carry a generation (DRBD's current UUID): the backup takes a new odd one at each takeover, the
 * master learns it from the backup's transfers and DELPAIR and takes the next even one at pair recovery, so
 * a transfer delayed across a role change is recognised and dropped (an addition to the seed).
 *
 * Correspondences users compare this with (anchors/replication_systems.md §1.3, §2.1, §3):
 *   - Hitachi CCI `horctakeover`: `host.swap` is SVOL-takeover (the P-VOL unreachable; the S-VOL becomes SSWS,
 *     read-write, with its own differential bitmap: DT2); Resync is `pairresync -swaps` run at the takeover
 *     site, the old S-VOL becoming the copy source and only the differential copied; embodiment 1's
 *     DT2 := DT2 OR DT1 is TrueCopy's merge of both sides' differential bitmaps; the fenced master is the
 *     P-VOL in PSUE that rejects writes; DELPAIR is `pairsplit -S` after the drain; pair recovery is the
 *     return swap that makes host 110's volume the P-VOL again.
 *   - IBM DS8000 Metro Mirror: `host.swap` is FAILOVER at the secondary (it becomes a suspended primary and
 *     records changed tracks in its out-of-sync bitmap, DT2); Resync is FAILBACK (only the out-of-sync
 *     tracks are copied back); DELPAIR then pair recovery is the second failover/failback that restores the
 *     original direction (CESTPAIR ACTION(FAILOVER/FAILBACK)).
 *   - DRBD 9: the backup promoted after the primary's loss is the new SyncSource; Resync is the bitmap-based
 *     resync after a primary change (rule bitmap-self, SYNC_SOURCE_USE_BITMAP), and embodiment 1's OR is the
 *     crashed-primary case, whose activity log joins the resync; the fence of A3 is `fencing
 *     resource-and-stonith`, and the generations are DRBD's current and bitmap UUIDs.
 *
 * These machines are the specification of control only. The controller (src/failover-failback/
 * controller.ts) holds the volumes, the bitmaps and the link, decides from data which machine event a
 * command or a delivered message is (`delpair.send` only when DT2 is empty and nothing is in flight), and
 * takes the transition and its operations from XState's pure `transition()`. Context is the variant's fixed
 * parameters; no guard reads data or an event's payload.
 */
import { setup } from 'xstate';
import { AssertionFailed } from '../src/assert.js';

/** The variant parameters both machines see; fixed for a controller's life. */
export interface FailoverControlInput {
  /** E1 asynchronous, DT2 := DT2 OR DT1 at Resync (3020); E2 asynchronous, DT2 only; E3 synchronous, no DT1. */
  readonly embodiment: 1 | 2 | 3;
  /** A3: `literal` swaps without fencing the master, as the seed does (split brain on a false report). */
  readonly fencing: 'fence' | 'literal';
  /** A2: `literal` is 2040 as written: only COPY records a write in DT2, so SWAP writes go untracked. */
  readonly swapTracking: 'swap-and-copy' | 'literal';
  /** A1: `literal` is 3070 as written: send, then clear the bit when the transfer completes. */
  readonly clearOrder: 'before-snapshot' | 'literal';
  /** A10: `literal` clears DT2 at a second SWAP, as 1020 does at the first. */
  readonly secondSwap: 'keep' | 'literal';
  /** A7: `literal` completes DELPAIR when DT2 is empty, though the diff job still has a transfer in flight. */
  readonly drainCompletion: 'single-consumer' | 'literal';
}

/** The master's machine events. The controller raises each from a command or a delivered message. */
export type MasterEventType =
  | 'host.write'
  | 'copy.send'
  | 'copy.ack'
  | 'copy.timeout'
  | 'master.fail'
  | 'master.fence'
  | 'master.recover'
  | 'failback.receive'
  | 'delpair.receive'
  | 'dt1.read'
  | 'host.hand-over'
  | 'host.pair-recover';

export type BackupEventType =
  | 'copy.receive'
  | 'sync.receive'
  | 'host.swap'
  | 'host.write'
  | 'host.resync'
  | 'failback.send'
  | 'failback.ack'
  | 'failback.timeout'
  | 'host.delpair'
  | 'delpair.send'
  | 'delpair.ack'
  | 'delpair.timeout'
  | 'backup.fail'
  | 'backup.restart'
  | 'pair.recover';

export type MasterStateKey = 'primary' | 'failed' | 'fenced.target' | 'fenced.handed-over';
export type BackupStateKey = 'secondary' | 'deleted' | 'swap' | 'copy.failback' | 'copy.draining' | 'copy.confirming' | 'down';

/** The system phases of spec/003 §3; `split` is two writers at once, which only the literal A3 flow reaches. */
export type Phase = 'G0' | 'G1' | 'G2' | 'G3' | 'G4' | 'G5' | 'G6' | 'G7' | 'split';

/**
 * The phase of the system from the two machines' states (spec/003 §3's G0-G7 are system-level names). A
 * backup in `copy.*` or `down` (it fails only during G4/G5 and restarts in COPY) is G4 or G5; a backup in
 * SWAP is G2 while the master is down and G3 once it is back; a passive backup is G0 with a primary master,
 * G6/G7 after DELPAIR and G1 otherwise (the master down, or back but not yet failed back).
 */
export function phaseOf(master: MasterStateKey, backup: BackupStateKey): Phase {
  if (master === 'primary') return backup === 'secondary' || backup === 'deleted' ? 'G0' : 'split';
  switch (backup) {
    case 'swap':
      return master === 'failed' ? 'G2' : 'G3';
    case 'copy.failback':
    case 'down':
      return 'G4';
    case 'copy.draining':
    case 'copy.confirming':
      return 'G5';
    case 'deleted':
      return master === 'fenced.handed-over' ? 'G7' : master === 'fenced.target' ? 'G6' : 'G1';
    case 'secondary':
      return 'G1';
  }
}

/** Where a host write goes (【0025】, 【0048】, Fig. 4 2040-2070). */
export type WriteRoute =
  | 'async' // master, E1/E2: DT1[t] := 1, M[t] := d, acknowledge; the copy job sends it later
  | 'sync' // master, E3: M[t] := d and B[t] := d in one step, acknowledged after both (A12)
  | 'tracked' // backup in SWAP or COPY: DT2[t] := 1 (2050, 2060), B[t] := d (2070), acknowledge (2080)
  | 'untracked'; // LITERAL A2: 2040 sends a SWAP write straight to 2070

export interface TransitionMeta {
  readonly seed: '003';
  readonly steps?: readonly number[];
  readonly paras?: readonly string[];
  readonly rows?: readonly string[];
  /** Set when the seed has no such transition and copyspec adds it; says why. */
  readonly ext?: string;
  /** Set on a transition only a literal-defect variant takes: the spec/003 §8 item. */
  readonly literal?: string;
}

function controllerOperation(): never {
  throw new AssertionFailed('failover-failback operations run in the controller; drive the machine with transition()');
}

type Guard = { readonly context: FailoverControlInput };

const guards = {
  asynchronous: ({ context }: Guard) => context.embodiment !== 3,
  synchronous: ({ context }: Guard) => context.embodiment === 3,
  mergesDt1: ({ context }: Guard) => context.embodiment === 1,
  fences: ({ context }: Guard) => context.fencing === 'fence',
  literalA2: ({ context }: Guard) => context.swapTracking === 'literal',
  literalA10: ({ context }: Guard) => context.secondSwap === 'literal',
};

const ACKNOWLEDGED = 'acknowledgements and retransmission are copyspec\'s: the seed assumes a reliable cable 600 (spec/003 A11)';

export const masterMachine = setup({
  types: {
    context: {} as FailoverControlInput,
    input: {} as FailoverControlInput,
    events: {} as { type: MasterEventType },
  },
  actions: {
    writeHost: (_, _params: { route: WriteRoute }) => controllerOperation(),
    sendCopy: controllerOperation,
    receiveCopyAck: controllerOperation,
    reflagLostCopies: controllerOperation,
    voidTransfers: controllerOperation,
    storeFailback: controllerOperation,
    acknowledgeDelpair: controllerOperation,
    reportDt1: controllerOperation,
    recoverPair: controllerOperation,
  },
  guards,
}).createMachine({
  id: 'master',
  description: 'DKC1 120 of seed 003: the master site\'s controller, its volume M, DT1 180 and PST1 190.',
  context: ({ input }) => input,
  initial: 'primary',
  states: {
    primary: {
      description: 'PST1 = COPY: the copy source; host 110 is the single writer (G0, 【0041】).',
      on: {
        'host.write': [
          {
            guard: 'synchronous',
            description: 'E3: write M and B as one atomic step and acknowledge after both have the data (【0048】, A12).',
            actions: { type: 'writeHost', params: { route: 'sync' } },
            meta: { seed: '003', paras: ['0048'], rows: ['T1s', 'A12'] },
          },
          {
            description: 'Asynchronous: set DT1[t], write M[t] and acknowledge; the copy job sends the track later (【0025】).',
            actions: { type: 'writeHost', params: { route: 'async' } },
            meta: { seed: '003', paras: ['0024', '0025'], rows: ['T1'] },
          },
        ],
        'copy.send': {
          guard: 'asynchronous',
          description: 'The copy job clears DT1[t] and sends M[t] to DKC2 in the same step (【0007】, A1 applied to T2).',
          actions: 'sendCopy',
          meta: { seed: '003', paras: ['0007', '0025'], rows: ['T2', 'A1'] },
        },
        'copy.ack': {
          guard: 'asynchronous',
          description: 'DKC2 acknowledges a copied track: it is no longer in flight.',
          actions: 'receiveCopyAck',
          meta: { seed: '003', rows: ['T2'], ext: ACKNOWLEDGED },
        },
        'copy.timeout': {
          guard: 'asynchronous',
          description: 'A copy that was lost (data and acknowledgement both gone) sets its DT1 bit again, so it is sent again.',
          actions: 'reflagLostCopies',
          meta: { seed: '003', rows: ['A1', 'A11'], ext: ACKNOWLEDGED },
        },
        'master.fail': {
          target: 'failed',
          description: 'The master fails (T3): M and DT1 are kept, and every copy not yet acknowledged sets its DT1 bit again.',
          actions: 'voidTransfers',
          meta: { seed: '003', paras: ['0008', '0011'], rows: ['T3'] },
        },
        'master.fence': {
          guard: 'fences',
          target: 'failed',
          description: 'A takeover fences the live master through the fence device (STONITH) before the backup accepts writes.',
          actions: 'voidTransfers',
          meta: { seed: '003', rows: ['A3', '§6 split brain'], ext: 'the seed has no fencing; DRBD fencing resource-and-stonith' },
        },
      },
    },
    failed: {
      description: 'The master is down (G1, G2): it takes no command and every message to it is lost.',
      on: {
        'master.recover': {
          target: 'fenced.target',
          description: 'The master hardware recovers (T6) in the fenced target role: host writes refused, DT1 kept, copy job suspended (A3).',
          meta: { seed: '003', paras: ['0034'], rows: ['T6', 'A3'] },
        },
      },
    },
    fenced: {
      description: 'A3: the master\'s explicit fenced role from its failure until pair recovery (4080).',
      initial: 'target',
      on: {
        'master.fail': {
          target: '#master.failed',
          description: 'The master fails again, in any phase (A10); the tracks already copied back stay on M.',
          meta: { seed: '003', rows: ['A10', '§6 master fails again'] },
        },
      },
      states: {
        target: {
          description: 'The failback target (G3-G6): the backup\'s transfers are written to M.',
          on: {
            'failback.receive': {
              description: 'A track the diff job sent: write it to M and acknowledge it (3070).',
              actions: 'storeFailback',
              meta: { seed: '003', steps: [3070, 4040], paras: ['0038', '0040'], rows: ['T9'] },
            },
            'delpair.receive': {
              description: 'DKC2\'s DELPAIR: every transfer has arrived; learn the backup\'s generation and acknowledge.',
              actions: 'acknowledgeDelpair',
              meta: { seed: '003', steps: [4050], rows: ['A7'], ext: 'the final handshake of the recommended single consumer (A7)' },
            },
            'dt1.read': {
              guard: 'mergesDt1',
              description: 'E1: DKC2 reads DT1 over cable 600 for its OR (3020); DT1 is unchanged.',
              actions: 'reportDt1',
              meta: { seed: '003', steps: [3020], paras: ['0036'], rows: ['T7'] },
            },
            'host.hand-over': {
              target: 'handed-over',
              description: 'Control moves from host 410 to host 110 after DELPAIR completes (4070).',
              meta: { seed: '003', steps: [4070], paras: ['0041'], rows: ['T13'] },
            },
          },
        },
        'handed-over': {
          description: 'G7: host 110 is active again and the master still refuses writes until pair recovery.',
          on: {
            'host.pair-recover': {
              target: '#master.primary',
              description: 'Pair recovery: clear DT1, take the next generation, re-establish the pair with DKC2 and copy source again, with no full copy (4080, 4090).',
              actions: 'recoverPair',
              meta: { seed: '003', steps: [4080, 4090], paras: ['0041'], rows: ['T14'] },
            },
            'master.fence': {
              guard: 'fences',
              target: '#master.failed',
              description: 'A new takeover before pair recovery fences the master, which would otherwise become a second writer.',
              meta: { seed: '003', rows: ['A3'], ext: 'the seed has no fencing; DRBD fencing resource-and-stonith' },
            },
          },
        },
      },
    },
  },
});

/** The backup's transitions from a passive state on a takeover (T4): fence (A3), clear DT2 (1020), SWAP (1030). */
function takeover(description: string) {
  return [
    {
      guard: 'fences' as const,
      target: '#backup.swap',
      description: `${description}: fence the master (A3), clear DT2 (1020), take a new generation, PST2 = SWAP (1030).`,
      actions: ['fenceMaster', 'clearDt2', 'takeGeneration'] as const,
      meta: { seed: '003', steps: [1000, 1010, 1020, 1030], paras: ['0032'], rows: ['T4', 'A3'] },
    },
    {
      target: '#backup.swap',
      description: `LITERAL: ${description} without fencing the master, so on a false failure report both sites accept writes.`,
      actions: ['clearDt2', 'takeGeneration'] as const,
      meta: { seed: '003', steps: [1000, 1010, 1020, 1030], paras: ['0032'], rows: ['T4', 'A3'], literal: 'A3' },
    },
  ];
}

/** The link's two ways of ending a transfer, handled the same wherever the diff job may have one in flight. */
const transferEnds = {
  'failback.ack': {
    description: 'DKC1 acknowledges a copied-back track: it is no longer in flight.',
    actions: 'receiveFailbackAck',
    meta: { seed: '003', steps: [3070], rows: ['T9'], ext: ACKNOWLEDGED },
  },
  'failback.timeout': {
    description: 'A transfer that was lost sets its DT2 bit again, so the diff job sends the track again (A1, A11).',
    actions: 'reflagLostFailbacks',
    meta: { seed: '003', rows: ['A1', 'A11'], ext: ACKNOWLEDGED },
  },
} as const;

/** DT2 as it is after a SWAP from COPY (A10), and the literal 1020 that clears it. */
function swapBack(description: string, extra: readonly 'failDelpair'[] = []) {
  return [
    {
      guard: 'literalA10' as const,
      target: '#backup.swap',
      description: `LITERAL: ${description}; 1020 clears DT2 again and loses the bits not yet copied back.`,
      actions: [...extra, 'clearDt2'] as ('failDelpair' | 'clearDt2')[],
      meta: { seed: '003', steps: [1010, 1020, 1030], rows: ['A10'], literal: 'A10' },
    },
    {
      target: '#backup.swap',
      description: `${description}; DT2 is kept (A10).`,
      actions: [...extra] as 'failDelpair'[],
      meta: { seed: '003', steps: [1010, 1030], rows: ['A10'] },
    },
  ];
}

const backupFails = (extra: readonly 'failDelpair'[] = []) => ({
  target: '#backup.down',
  description: 'The backup fails during the failback; DT2, PST2 and B are in its non-volatile shared memory 470 and disk 530.',
  actions: [...extra] as 'failDelpair'[],
  meta: { seed: '003', rows: ['§6 backup fails during G4/G5'], ext: 'not covered by the seed (spec/003 §6)' },
});

export const backupMachine = setup({
  types: {
    context: {} as FailoverControlInput,
    input: {} as FailoverControlInput,
    events: {} as { type: BackupEventType },
  },
  actions: {
    storeCopy: controllerOperation,
    storeSync: controllerOperation,
    fenceMaster: controllerOperation,
    clearDt2: controllerOperation,
    takeGeneration: controllerOperation,
    writeHost: (_, _params: { route: WriteRoute }) => controllerOperation(),
    mergeDt1: controllerOperation,
    sendFailback: controllerOperation,
    receiveFailbackAck: controllerOperation,
    reflagLostFailbacks: controllerOperation,
    sendDelpair: controllerOperation,
    resendDelpair: controllerOperation,
    completeDelpair: controllerOperation,
    failDelpair: controllerOperation,
    joinPair: controllerOperation,
  },
  guards,
}).createMachine({
  id: 'backup',
  description: 'DKC2 420 of seed 003: the backup site\'s controller, its volume B, DT2 480 and PST2 490.',
  context: ({ input }) => input,
  initial: 'secondary',
  states: {
    secondary: {
      description: '通常 with a pair: the replication target of DKC1 (G0, G1); host 410 does not write (A3).',
      on: {
        'copy.receive': {
          guard: 'asynchronous',
          description: 'A track the master\'s copy job sent: write it to B and acknowledge it (【0025】).',
          actions: 'storeCopy',
          meta: { seed: '003', paras: ['0025'], rows: ['T2'] },
        },
        'sync.receive': {
          guard: 'synchronous',
          description: 'E3: the remote half of the master\'s atomic synchronous write (【0048】).',
          actions: 'storeSync',
          meta: { seed: '003', paras: ['0048'], rows: ['T1s', 'A12'] },
        },
        'host.swap': takeover('Host 410 detects the master\'s failure over cable 700 and issues SWAP'),
      },
    },
    deleted: {
      description: '通常 after DELPAIR (4050): the pair is deleted; B holds the newest data until pair recovery (G6, G7).',
      on: {
        'pair.recover': {
          target: 'secondary',
          description: 'Pair recovery at DKC1 re-establishes the pair over cable 600: DKC2 is the replication target again, at the master\'s new generation (4090).',
          actions: 'joinPair',
          meta: { seed: '003', steps: [4080, 4090], paras: ['0041'], rows: ['T14'] },
        },
        'host.swap': takeover('The master fails after DELPAIR and host 410 takes over again'),
      },
    },
    swap: {
      description: 'SWAP (縮退運転): DKC2 acts as DKC1; host-410 writes are recorded in DT2; nothing is copied to the master (【0032】).',
      on: {
        'host.write': [
          {
            guard: 'literalA2',
            description: 'LITERAL 2040: "if not COPY, go to 2070", so a SWAP write reaches B untracked.',
            actions: { type: 'writeHost', params: { route: 'untracked' } },
            meta: { seed: '003', steps: [2000, 2010, 2040, 2070, 2080], paras: ['0033'], rows: ['A2'], literal: 'A2' },
          },
          {
            description: 'Set DT2[t] (2050, 2060), then write B[t] (2070) and acknowledge (2080).',
            actions: { type: 'writeHost', params: { route: 'tracked' } },
            meta: { seed: '003', steps: [2000, 2010, 2040, 2050, 2060, 2070, 2080], paras: ['0033'], rows: ['T5'] },
          },
        ],
        'host.resync': [
          {
            guard: 'mergesDt1',
            target: 'copy.failback',
            description: 'E1 Resync: DT2 := DT2 OR DT1 read over cable 600 (3020; every bit when DT1 cannot be read, A4), PST2 = COPY, start the diff job.',
            actions: 'mergeDt1',
            meta: { seed: '003', steps: [3000, 3010, 3020, 3030, 3040], paras: ['0035', '0036', '0037'], rows: ['T7', 'A4', 'A6'] },
          },
          {
            target: 'copy.failback',
            description: 'E2/E3 Resync: no 3020; PST2 = COPY (3030) and start the diff job (3040).',
            meta: { seed: '003', steps: [3000, 3010, 3030, 3040], paras: ['0044', '0049'], rows: ['T7'] },
          },
        ],
        ...transferEnds,
      },
    },
    copy: {
      description: 'PST2 = COPY: the diff job copies the flagged tracks back to the master (G4, G5).',
      initial: 'failback',
      states: {
        failback: {
          description: 'G4: host 410 keeps writing and the diff job runs asynchronously to it (3040-3070).',
          on: {
            'host.write': {
              description: 'A host-410 write during COPY: set DT2[t], write B[t], acknowledge (T8).',
              actions: { type: 'writeHost', params: { route: 'tracked' } },
              meta: { seed: '003', steps: [2040, 2050, 2060, 2070, 2080], paras: ['0033'], rows: ['T8'] },
            },
            'failback.send': {
              description: 'The diff job finds a flagged track (3050, 3060), clears its bit and sends it in one step (3070, A1).',
              actions: 'sendFailback',
              meta: { seed: '003', steps: [3050, 3060, 3070], paras: ['0038'], rows: ['T9', 'A1'] },
            },
            ...transferEnds,
            'host.delpair': {
              target: 'draining',
              description: 'Host 410 stops I/O (4000) and issues DELPAIR (4010); the diff job drains DT2 (A7).',
              meta: { seed: '003', steps: [4000, 4010], paras: ['0039'], rows: ['T11', 'A7', 'A9'] },
            },
            'host.swap': swapBack('The master fails again during the failback and host 410 issues SWAP'),
            'backup.fail': backupFails(),
          },
        },
        draining: {
          description: 'G5: DELPAIR is pending and host writes are refused (A8); the diff job is DT2\'s only consumer (A7).',
          on: {
            'failback.send': {
              description: 'The drain sends a flagged track as the diff job does, clearing its bit (4020-4040, A5).',
              actions: 'sendFailback',
              meta: { seed: '003', steps: [4020, 4030, 4040], paras: ['0040'], rows: ['T9', 'A5', 'A7'] },
            },
            ...transferEnds,
            'delpair.send': {
              target: 'confirming',
              description: 'DT2 is empty and nothing is in flight (4030): tell DKC1 the pair is drained.',
              actions: 'sendDelpair',
              meta: { seed: '003', steps: [4020, 4030], paras: ['0040'], rows: ['T12', 'A7'] },
            },
            'host.swap': swapBack('The master fails during DELPAIR and host 410 issues SWAP; DELPAIR fails', ['failDelpair']),
            'backup.fail': backupFails(['failDelpair']),
          },
        },
        confirming: {
          description: 'G5: DT2 is drained and DKC2 waits for DKC1 to acknowledge DELPAIR.',
          on: {
            'delpair.ack': {
              target: '#backup.deleted',
              description: 'DKC1 has every track: PST2 = 通常 (4050) and DELPAIR is reported complete to host 410 (4060).',
              actions: 'completeDelpair',
              meta: { seed: '003', steps: [4050, 4060], paras: ['0040'], rows: ['T12'] },
            },
            'delpair.timeout': {
              description: 'The DELPAIR message or its acknowledgement was lost: send it again (A11).',
              actions: 'resendDelpair',
              meta: { seed: '003', rows: ['A11'], ext: ACKNOWLEDGED },
            },
            'host.swap': swapBack('The master fails before acknowledging DELPAIR and host 410 issues SWAP; DELPAIR fails', ['failDelpair']),
            'backup.fail': backupFails(['failDelpair']),
          },
        },
      },
    },
    down: {
      description: 'The backup is down during the failback: no host I/O, no transfers; M is a mixture and B the only valid copy.',
      on: {
        'backup.restart': {
          target: 'copy.failback',
          description: 'The backup restarts from shared memory in COPY; a DELPAIR it had pending is lost and must be issued again.',
          meta: { seed: '003', rows: ['§6 backup fails during G4/G5'], ext: 'not covered by the seed (spec/003 §6)' },
        },
      },
    },
  },
});

export type MasterMachine = typeof masterMachine;
export type BackupMachine = typeof backupMachine;
