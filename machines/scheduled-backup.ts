/**
 * scheduled-backup (seed 004, JP H11-272427): the storage subsystem backs its own volumes up on a schedule,
 * to a disk or to a chain of tapes, with no host involved. Two machines: the service processor (SVP 22,
 * Fig. 6) and the backup channel adapter (CHA 45, Fig. 7-13), one instance per backup-device address (one
 * backup information table 140 each, 【0041】).
 *
 * Seed terms and the names chosen here (spec/004 §2, §3):
 *   サービスプロセッサ 22 → `svp`; 構成情報テーブル 100 → the configuration table (`ConfigTable`); バックアップ
 *   チャンネルインタフェースフラグ 102 → `backupAdapters`; バックアップ情報 103 → `entries`, fields 120-124 →
 *   `volume`, `adapter`, `device`, `label`, `start`; タイマ 130 → the clock (`timer.tick`); バックアップ情報
 *   テーブル 140 → `table140`, fields 151/152/142/143/144 → `diskFlag`, `tapeFlag`, `labelChecked`,
 *   `currentLabel`, `mountWait`; データバックアップ用外部記憶装置 30 → the backup device; ボリューム名 → label;
 *   E.O.T → end of tape (`unit.written-eot`, `unit.refused-eot`); 読み込み完了通知 → `stage.complete`;
 *   正常終了報告 802 / 異常終了報告 312 → the normal / abnormal end report; エラー報告 211 → `error.report`.
 *   States follow spec/004 §3: S.IDLE `idle`, S.CONFIG `config`, S.REBOOT `reboot`, S.ERR `error`; C.IDLE
 *   `idle`, C.PROBE `probe`, C.D_VCHK `disk.label-check`, C.D_XFER and C.STAGE `disk.staging`/`disk.writing`,
 *   C.M_MOUNT `tape.mount-wait`, C.M_VCHK `tape.label-check`, C.M_XFER `tape.staging`/`tape.writing`,
 *   C.M_EOT_RW `tape.eot-rewind`, C.M_NEXT `tape.next-mount-wait`/`tape.next-label-check`, C.M_END
 *   `tape.end-rewind`, C.DONE `normal-end`, C.ERR `abnormal-end`.
 *
 * Every machine state is one a command can leave the machine in: the seed's decision points (507/509,
 * 610/612/613, 703) are folded into the transition that reaches them, and the controller decides from data
 * which event a device answer is (`copy.complete` only when the last unit is stored, `label.overflow` only
 * when 143 cannot be incremented). The device's answers (type, label, READY, end of tape, rewind complete,
 * write error) and the DKA's read completion are commands of their own, so every order of them, of host
 * writes and of timer ticks is explored. An end report waits in `normal-end`/`abnormal-end` until the SVP's
 * next pass takes it (204/205): the seed's CHA goes back to 301 at once; holding it makes each run's end a
 * state a trace shows, and the poll reads exactly one report per run (P7).
 *
 * What users of today's products will recognise:
 * - Tape labels and volume chaining (Bacula, Amanda): 143 := inc(143) at end of tape (703) is Bacula's
 *   "Label Format" with a numeric index that keeps its width (`BK8` → `BK9`, overflow an abnormal end, A12)
 *   and the chain of one job's volumes that a Bacula volume label records as PrevVolName; the label check
 *   before the first write (502-504, 605-607, 706-708) is Amanda's amdump, which "verifies the label before
 *   writing to make sure the proper tape is loaded". An end of tape reported with the unit stored is SCSI's
 *   early warning; one reported with the unit refused is the physical end of medium (A11).
 * - Schedules (IBM Spectrum Protect DEFINE SCHEDULE): an entry fires at the first SVP pass at or after its
 *   start time, as a Spectrum Protect schedule whose startup window began while the server was down still
 *   runs when it comes back within the window (A1: crossing, not equality; copyspec's window has no end).
 *   Spectrum Protect "cannot run multiple schedules concurrently for the same client node"; here entries on
 *   one device address wait in a FIFO queue (A9).
 *
 * These machines are the specification of control only; the controller (src/scheduled-backup/) holds the
 * tables, the volumes, the device and the queues and runs the operations. Context is the variant's fixed
 * parameters; no guard reads data or a payload.
 */
import { setup } from 'xstate';
import { AssertionFailed } from '../src/assert.js';

/** The variant parameters both machines see (and the data plane reads); fixed for a world's life. */
export interface BackupControl {
  /** The class of the minimal and standard presets' backup devices; the probe takes only that class's branch. */
  readonly destination: 'disk' | 'tape';
  /** A1: `crossing` fires an entry when last pass < start ≤ now; `equality` only when now == start (201). */
  readonly trigger: 'crossing' | 'equality';
  /** A15: `finish-at-610` also tests for the end when the cache is empty at 610; `literal` tests only after a write (612). */
  readonly zeroLengthTape: 'finish-at-610' | 'literal';
  /**
   * A11: `as-reported` counts the end-of-tape unit as stored when the drive stored it (early warning) and
   * sends it again when the drive refused it; `always-resent` and `always-stored` read every end of tape one way.
   */
  readonly eotUnit: 'as-reported' | 'always-resent' | 'always-stored';
  /** A6/A7: `deferred` grants a configuration request only when every adapter is idle; `literal` at once. */
  readonly configTiming: 'deferred' | 'literal';
  /** P12 (the patent) stages the live volume; `point-in-time` stages a copy-before-write image taken at the trigger. */
  readonly image: 'fuzzy' | 'point-in-time';
}

export type SvpEventType =
  | 'timer.due'
  | 'poll.abnormal-end'
  | 'error.report'
  | 'config.request'
  | 'config.invalid'
  | 'config.written'
  | 'reboot.complete'
  | 'reboot.failed';

export type AdapterEventType =
  | 'backup.start'
  | 'type.disk'
  | 'type.tape-ready'
  | 'type.tape-not-ready'
  | 'type.unknown'
  | 'type.failed'
  | 'label.match'
  | 'label.match-finished'
  | 'label.match-cached'
  | 'label.mismatch'
  | 'label.failed'
  | 'stage.complete'
  | 'stage.empty'
  | 'unit.written'
  | 'unit.written-eot'
  | 'unit.refused-eot'
  | 'copy.complete'
  | 'write.failed'
  | 'drive.ready'
  | 'rewind.done'
  | 'label.overflow'
  | 'report.collected';

export type SvpStateKey = 'idle' | 'config' | 'reboot' | 'error';

export type AdapterStateKey =
  | 'idle'
  | 'probe'
  | 'disk.label-check'
  | 'disk.staging'
  | 'disk.writing'
  | 'tape.mount-wait'
  | 'tape.label-check'
  | 'tape.staging'
  | 'tape.writing'
  | 'tape.eot-rewind'
  | 'tape.next-mount-wait'
  | 'tape.next-label-check'
  | 'tape.end-rewind'
  | 'normal-end'
  | 'abnormal-end';

export const ADAPTER_STATES: readonly AdapterStateKey[] = [
  'idle', 'probe', 'disk.label-check', 'disk.staging', 'disk.writing', 'tape.mount-wait', 'tape.label-check', 'tape.staging',
  'tape.writing', 'tape.eot-rewind', 'tape.next-mount-wait', 'tape.next-label-check', 'tape.end-rewind', 'normal-end', 'abnormal-end',
];

function controllerOperation(): never {
  throw new AssertionFailed('scheduled-backup operations run in the controller; drive the machine with transition()');
}

type Guard = { readonly context: BackupControl };

const SEED = '004' as const;

export const svpMachine = setup({
  types: { context: {} as BackupControl, input: {} as BackupControl, events: {} as { type: SvpEventType } },
  actions: {
    instructDueEntries: controllerOperation,
    noteAbnormalEnd: controllerOperation,
    reportErrorToOtherAdapters: controllerOperation,
    openSettings: controllerOperation,
    discardSettings: controllerOperation,
    writeSharedMemory: controllerOperation,
    loadConfiguration: controllerOperation,
  },
}).createMachine({
  id: 'svp',
  description: 'Service processor 22 (Fig. 6): the schedule, the configuration table and error reports.',
  context: ({ input }) => input,
  initial: 'idle',
  states: {
    idle: {
      description: 'The main loop (200-205): one pass per timer tick.',
      on: {
        'timer.due': {
          description: 'An entry\'s start time has come: instruct its CHA (121) to back up volume 120 (201-203).',
          actions: 'instructDueEntries',
          meta: { seed: SEED, steps: [201, 202, 203], paras: ['0047', '0048'], rows: ['T5', 'A1'] },
        },
        'poll.abnormal-end': {
          target: 'error',
          description: 'The pass finds an instructed backup that ended abnormally (204, 205); 211 comes next.',
          actions: 'noteAbnormalEnd',
          meta: { seed: SEED, steps: [204, 205], paras: ['0048'], rows: ['T6', 'A4'] },
        },
        'config.request': {
          target: 'config',
          description: 'A configuration-set request: the SVP asks for flag 102 and information 103 (200, 206).',
          actions: 'openSettings',
          meta: { seed: SEED, steps: [200, 206], paras: ['0047', '0050'], rows: ['T1', 'A7'] },
        },
      },
    },
    config: {
      description: '構成情報設定: the SVP waits for the operator\'s settings (206-208).',
      on: {
        'config.invalid': {
          description: 'Check 208 fails (an entry\'s CHA 121 has no bit in 102): ask for the settings again.',
          actions: 'discardSettings',
          meta: { seed: SEED, steps: [207, 208, 206], paras: ['0051', '0052'], rows: ['T2'] },
        },
        'config.written': {
          target: 'reboot',
          description: 'The settings pass check 208 and table 100 is written to shared memory 60 (207-210).',
          actions: 'writeSharedMemory',
          meta: { seed: SEED, steps: [207, 208, 209, 210], paras: ['0051', '0052', '0053', '0054'], rows: ['T3', 'P6'] },
        },
      },
    },
    reboot: {
      description: 'リブート: the subsystem is powered off and on so that the CHAs load table 100 (212).',
      on: {
        'reboot.complete': {
          target: 'idle',
          description: 'The reboot ends without error: every CHA runs by the new table 100 (212, 213).',
          actions: 'loadConfiguration',
          meta: { seed: SEED, steps: [212, 213], paras: ['0056', '0057'], rows: ['T4', 'A6'] },
        },
        'reboot.failed': {
          target: 'error',
          description: 'The reboot raises an error (213): the CHAs run by the new table and the error is reported next (211).',
          actions: 'loadConfiguration',
          meta: { seed: SEED, steps: [212, 213], paras: ['0057'], rows: ['T4'] },
        },
      },
    },
    error: {
      description: 'エラー報告: the next pass tells every other CHA to report an error (211).',
      on: {
        'error.report': {
          target: 'idle',
          description: 'Over bus 50, tell every CHA other than the backup\'s own (121) to report the error (211).',
          actions: 'reportErrorToOtherAdapters',
          meta: { seed: SEED, steps: [211, 200], paras: ['0055'], rows: ['T8', 'P8', 'A18'] },
        },
      },
    },
  },
});

/** The end of a run: 140 cleared (710 or 801) and the report sent (312 or 802), as one set of operations. */
const ABNORMAL = ['clearTable140', 'reportAbnormalEnd'] as const;

function abnormal(description: string, steps: readonly number[], paras: readonly string[], rows: readonly string[], ext?: string) {
  return { target: '#backup-adapter.abnormal-end', description, actions: [...ABNORMAL], meta: { seed: SEED, steps: [...steps, 710, 312], paras, rows, ...(ext === undefined ? {} : { ext }) } };
}

export const adapterMachine = setup({
  types: { context: {} as BackupControl, input: {} as BackupControl, events: {} as { type: AdapterEventType } },
  actions: {
    loadEntry: controllerOperation,
    queryDeviceType: controllerOperation,
    setDiskFlag: controllerOperation,
    setTapeFlag: controllerOperation,
    readLabel: controllerOperation,
    requestMount: controllerOperation,
    setLabelChecked: controllerOperation,
    requestStage: controllerOperation,
    takeStagedChunk: controllerOperation,
    writeUnit: controllerOperation,
    unitStored: controllerOperation,
    keepUnit: controllerOperation,
    rewind: controllerOperation,
    unload: controllerOperation,
    setMountWait: controllerOperation,
    incrementLabel: controllerOperation,
    clearMountWait: controllerOperation,
    clearTable140: controllerOperation,
    reportNormalEnd: controllerOperation,
    reportAbnormalEnd: controllerOperation,
    returnToDispatcher: controllerOperation,
  },
  guards: {
    diskDestination: ({ context }: Guard) => context.destination === 'disk',
    tapeDestination: ({ context }: Guard) => context.destination === 'tape',
    literalA15: ({ context }: Guard) => context.zeroLengthTape === 'literal',
    finishAt610: ({ context }: Guard) => context.zeroLengthTape === 'finish-at-610',
    literalA11Resent: ({ context }: Guard) => context.eotUnit === 'always-resent',
    literalA11Stored: ({ context }: Guard) => context.eotUnit === 'always-stored',
  },
}).createMachine({
  id: 'backup-adapter',
  description: 'Backup CHA 45 (Fig. 7-13) on one backup-device address, with its backup information table 140.',
  context: ({ input }) => input,
  initial: 'idle',
  states: {
    idle: {
      description: '待機 (301-304): table 140 is clear; the CHA waits for an SVP backup instruction.',
      on: {
        'backup.start': {
          target: 'probe',
          description: 'Take the first queued instruction: read table 100 and address 122, then ask the device its type (301-306).',
          actions: ['loadEntry', 'queryDeviceType'],
          meta: { seed: SEED, steps: [301, 302, 303, 304, 305, 306], paras: ['0060', '0061', '0062', '0063'], rows: ['C1', 'A5', 'A9'] },
        },
      },
    },
    probe: {
      description: '装置種別情報取得 (306-311): the type query is out on cable 14.',
      on: {
        'type.disk': {
          guard: 'diskDestination',
          target: 'disk.label-check',
          description: 'A disk-class device: 151 := 1, then read its volume label (308, 309, 501, 502).',
          actions: ['setDiskFlag', 'readLabel'],
          meta: { seed: SEED, steps: [307, 308, 309, 501, 502], paras: ['0064', '0065', '0071', '0072'], rows: ['C3'] },
        },
        'type.tape-ready': {
          guard: 'tapeDestination',
          target: 'tape.label-check',
          description: 'An MT-class device that is READY: 152 := 1, then read the mounted tape\'s label (310, 311, 601, 602, 605).',
          actions: ['setTapeFlag', 'readLabel'],
          meta: { seed: SEED, steps: [310, 311, 601, 602, 605], paras: ['0065', '0066', '0081', '0082', '0085'], rows: ['C4'] },
        },
        'type.tape-not-ready': {
          guard: 'tapeDestination',
          target: 'tape.mount-wait',
          description: 'An MT-class device with no tape: 152 := 1, then ask for tape 123 to be mounted (310, 311, 602, 603); 144 stays 0 (A13).',
          actions: ['setTapeFlag', 'requestMount'],
          meta: { seed: SEED, steps: [310, 311, 601, 602, 603], paras: ['0066', '0082', '0083'], rows: ['C4', 'A13'] },
        },
        'type.unknown': {
          target: 'abnormal-end',
          description: 'The device is neither disk-class nor MT-class: abnormal end (308, 310, 312).',
          actions: ['reportAbnormalEnd'],
          meta: { seed: SEED, steps: [308, 310, 312], paras: ['0066'], rows: ['C2'] },
        },
        'type.failed': {
          target: 'abnormal-end',
          description: 'The type query fails: abnormal end (307, 312).',
          actions: ['reportAbnormalEnd'],
          meta: { seed: SEED, steps: [307, 312], paras: ['0063', '0066'], rows: ['C2'] },
        },
      },
    },
    disk: {
      description: 'The disk path (Fig. 9): 151 = 1.',
      initial: 'label-check',
      states: {
        'label-check': {
          description: 'ボリューム名チェック (502-506): the label read is out.',
          on: {
            'label.match': {
              target: 'staging',
              description: 'The label is 123: 142 := 1, 143 := 123; the cache is empty and data remain, so ask a DKA for the next chunk (505-510).',
              actions: ['setLabelChecked', 'requestStage'],
              meta: { seed: SEED, steps: [503, 504, 505, 506, 507, 509, 510], paras: ['0073', '0074', '0075', '0078', '0079'], rows: ['C6', 'C9', 'A2'] },
            },
            'label.match-finished': {
              target: '#backup-adapter.normal-end',
              description: 'The label is 123 and the volume has no data: the backup is finished at once (505-509, 801, 802).',
              actions: ['setLabelChecked', 'clearTable140', 'reportNormalEnd'],
              meta: { seed: SEED, steps: [503, 504, 505, 506, 507, 509, 801, 802], paras: ['0075', '0078', '0105'], rows: ['C6', 'C8', 'A15'] },
            },
            'label.mismatch': abnormal('The label read is not 123: abnormal end (504, 710, 312).', [504], ['0074', '0103'], ['C5']),
            'label.failed': abnormal('The label read fails: abnormal end (503, 710, 312).', [503], ['0073', '0103'], ['C5']),
          },
        },
        staging: {
          description: 'C.STAGE: a DKA is reading the next chunk of the target volume into cache 70 (510).',
          on: {
            'stage.complete': {
              target: 'writing',
              description: 'The DKA\'s read-complete notice: the chunk is in cache; write it to the disk (301, 401, 501, 507, 508).',
              actions: ['takeStagedChunk', 'writeUnit'],
              meta: { seed: SEED, steps: [301, 401, 501, 507, 508], paras: ['0060', '0068', '0076', '0077'], rows: ['C10', 'C7', 'P12'] },
            },
          },
        },
        writing: {
          description: 'バックアップデータ書き込み (508): the write is out on cable 14.',
          on: {
            'unit.written': {
              target: 'staging',
              description: 'The disk stored the chunk and data remain: ask a DKA for the next one (508, 507, 509, 510).',
              actions: ['unitStored', 'requestStage'],
              meta: { seed: SEED, steps: [508, 507, 509, 510], paras: ['0077', '0078', '0079'], rows: ['C9', 'A2'] },
            },
            'copy.complete': {
              target: '#backup-adapter.normal-end',
              description: 'The disk stored the last chunk: clear 140 and report a normal end (509, 801, 802).',
              actions: ['unitStored', 'clearTable140', 'reportNormalEnd'],
              meta: { seed: SEED, steps: [508, 507, 509, 801, 802], paras: ['0078', '0105'], rows: ['C8', 'C22', 'A2'] },
            },
            'write.failed': abnormal('The disk reports a write error or has no room: abnormal end.', [508], ['0077'], ['A10'], 'the seed handles no write error; spec/004 A10 sends it to 710'),
          },
        },
      },
    },
    tape: {
      description: 'The MT path (Fig. 10, 11, 13): 152 = 1.',
      initial: 'mount-wait',
      states: {
        'mount-wait': {
          description: 'READY状態 wait (604): tape 123 has been asked for; the operator mounts it.',
          on: {
            'drive.ready': {
              target: 'label-check',
              description: 'The drive is READY: read the tape\'s label (604, 605).',
              actions: ['readLabel'],
              meta: { seed: SEED, steps: [604, 605], paras: ['0084', '0085'], rows: ['C13', 'A14'] },
            },
          },
        },
        'label-check': {
          description: 'ボリューム名チェック (605-609): the label read is out.',
          on: {
            'label.match': {
              target: 'staging',
              description: 'The label is 123: 142 := 1, 143 := 123; the cache is empty, so ask a DKA for the first chunk (606-610, 510).',
              actions: ['setLabelChecked', 'requestStage'],
              meta: { seed: SEED, steps: [606, 607, 608, 609, 610, 510], paras: ['0086', '0087', '0088', '0089'], rows: ['C15', 'C16'] },
            },
            // The literal flow has no test for the end at 610, so for it a zero-length volume's label is a plain match.
            'label.match-finished': {
              guard: 'finishAt610',
              target: 'end-rewind',
              description: 'The label is 123 and the volume has no data: the backup is finished, so rewind (609, 610, 901).',
              actions: ['setLabelChecked', 'rewind'],
              meta: { seed: SEED, steps: [608, 609, 610, 901], paras: ['0089', '0108'], rows: ['A15'], ext: 'the seed tests for the end only after a write (612); spec/004 A15 also tests at 610' },
            },
            'label.mismatch': abnormal('The mounted tape is not 123: abnormal end (607, 710, 312).', [607], ['0087', '0103'], ['C14']),
            'label.failed': abnormal('The label read fails: abnormal end (606, 710, 312).', [606], ['0086', '0103'], ['C14']),
          },
        },
        staging: {
          description: 'C.STAGE: a DKA is reading the next chunk into cache 70 (510).',
          on: {
            'stage.complete': {
              target: 'writing',
              description: 'The DKA\'s read-complete notice: the chunk is in cache; write one unit to the tape (301, 401, 402, 601, 610, 611).',
              actions: ['takeStagedChunk', 'writeUnit'],
              meta: { seed: SEED, steps: [301, 401, 402, 601, 610, 611], paras: ['0060', '0069', '0089', '0090'], rows: ['C11', 'C17', 'P12'] },
            },
            'stage.empty': {
              guard: 'literalA15',
              description: 'LITERAL: the read brings nothing (the volume is at its end); 610 finds the cache empty and stages again (610, 510), so a zero-length volume never finishes.',
              actions: ['requestStage'],
              meta: { seed: SEED, steps: [301, 402, 601, 610, 510], paras: ['0089'], rows: ['A15'], literal: 'A15' },
            },
          },
        },
        writing: {
          description: 'バックアップデータ書き込み (611): the unit is out on cable 14.',
          on: {
            'unit.written': {
              target: 'staging',
              description: 'The tape stored the unit, data remain and the tape is not at its end: stage the next chunk (612, 613, 610, 510).',
              actions: ['unitStored', 'requestStage'],
              meta: { seed: SEED, steps: [611, 612, 613, 610, 510], paras: ['0090', '0091', '0092'], rows: ['C17'] },
            },
            'copy.complete': {
              target: 'end-rewind',
              description: 'The tape stored the last unit: the backup is finished, so rewind (612, 901).',
              actions: ['unitStored', 'rewind'],
              meta: { seed: SEED, steps: [611, 612, 901], paras: ['0091', '0108'], rows: ['C17'] },
            },
            'unit.written-eot': [
              {
                guard: 'literalA11Resent',
                target: 'eot-rewind',
                description: 'LITERAL: the unit written at end of tape is taken as not stored and kept to be sent again, so it is on two tapes.',
                actions: ['keepUnit', 'rewind'],
                meta: { seed: SEED, steps: [611, 613, 614], paras: ['0092', '0093'], rows: ['A11'], literal: 'A11' },
              },
              {
                target: 'eot-rewind',
                description: 'The drive stored the unit and reports end of tape (early warning): it counts as stored (A11); rewind (613, 614).',
                actions: ['unitStored', 'rewind'],
                meta: { seed: SEED, steps: [611, 612, 613, 614], paras: ['0092', '0093'], rows: ['C17', 'A11'] },
              },
            ],
            'unit.refused-eot': [
              {
                guard: 'literalA11Stored',
                target: 'eot-rewind',
                description: 'LITERAL: the unit refused at the end of medium is counted as stored, so it is on no tape.',
                actions: ['unitStored', 'rewind'],
                meta: { seed: SEED, steps: [611, 613, 614], paras: ['0092', '0093'], rows: ['A11'], literal: 'A11' },
              },
              {
                target: 'eot-rewind',
                description: 'The drive refused the unit at the end of medium: keep it in cache for the next tape; rewind (613, 614).',
                actions: ['keepUnit', 'rewind'],
                meta: { seed: SEED, steps: [611, 613, 614], paras: ['0092', '0093'], rows: ['A11'], ext: 'the seed does not say what was stored at E.O.T.; spec/004 A11' },
              },
            ],
            'write.failed': abnormal('The drive reports a write error: abnormal end.', [611], ['0090'], ['A10'], 'the seed handles no write error; spec/004 A10 sends it to 710'),
          },
        },
        'eot-rewind': {
          description: 'E.O.T rewind (614, 615): waiting for the rewind to complete.',
          on: {
            'rewind.done': {
              target: 'next-mount-wait',
              description: 'Rewound: unload, 144 := 1, 143 := inc(143) keeping its width, and ask for that tape (615, 701-704).',
              actions: ['unload', 'setMountWait', 'incrementLabel', 'requestMount'],
              meta: { seed: SEED, steps: [615, 701, 702, 703, 704], paras: ['0094', '0096', '0097'], rows: ['C18', 'A12'] },
            },
            'label.overflow': abnormal('Rewound, but 143 cannot be incremented within its width: unload and end abnormally.', [615, 701, 703], ['0096'], ['A12'], 'the seed does not bound inc(); spec/004 A12 makes overflow an abnormal end'),
          },
        },
        'next-mount-wait': {
          description: 'Mount wait (705): 144 = 1; the operator mounts tape 143.',
          on: {
            'drive.ready': {
              target: 'next-label-check',
              description: 'The drive is READY: read the new tape\'s label (705, 706).',
              actions: ['readLabel'],
              meta: { seed: SEED, steps: [705, 706], paras: ['0098', '0099'], rows: ['C19', 'C20', 'A14'] },
            },
          },
        },
        'next-label-check': {
          description: 'The new tape\'s label read is out (706-708).',
          on: {
            'label.match': {
              target: 'staging',
              description: 'The label is 143: 144 := 0; the cache is empty, so stage the next chunk (707-709, 610, 510).',
              actions: ['clearMountWait', 'requestStage'],
              meta: { seed: SEED, steps: [707, 708, 709, 610, 510], paras: ['0100', '0101', '0102'], rows: ['C20'] },
            },
            'label.match-cached': {
              target: 'writing',
              description: 'The label is 143: 144 := 0; the cache still holds the refused unit, so write it (707-709, 610, 611).',
              actions: ['clearMountWait', 'writeUnit'],
              meta: { seed: SEED, steps: [707, 708, 709, 610, 611], paras: ['0100', '0101', '0102'], rows: ['C20', 'A11'] },
            },
            'label.mismatch': abnormal('The new tape is not 143: abnormal end (708, 710, 312).', [708], ['0101', '0103'], ['C19']),
            'label.failed': abnormal('The new tape\'s label read fails: abnormal end (707, 710, 312).', [707], ['0100', '0103'], ['C19']),
          },
        },
        'end-rewind': {
          description: 'Final rewind (901, 902): waiting for the rewind to complete.',
          on: {
            'rewind.done': {
              target: '#backup-adapter.normal-end',
              description: 'Rewound: unload the tape (903), clear 140 (801) and report a normal end (802).',
              actions: ['unload', 'clearTable140', 'reportNormalEnd'],
              meta: { seed: SEED, steps: [902, 903, 801, 802], paras: ['0107', '0109', '0110', '0105'], rows: ['C21', 'C22'] },
            },
          },
        },
      },
    },
    'normal-end': {
      description: '正常終了 (801, 802): 140 is clear and the normal-end report waits for the SVP\'s pass.',
      on: {
        'report.collected': {
          target: 'idle',
          description: 'The SVP\'s pass takes the report (204, 205); the CHA goes back to 301.',
          actions: 'returnToDispatcher',
          meta: { seed: SEED, steps: [204, 205, 301], paras: ['0048', '0105'], rows: ['C22', 'P7'], ext: 'the seed\'s CHA returns to 301 at once; copyspec holds the report for the SVP\'s poll so each run ends in one visible state' },
        },
      },
    },
    'abnormal-end': {
      description: '異常終了 (710, 312): 140 is clear and the abnormal-end report waits for the SVP\'s pass.',
      on: {
        'report.collected': {
          target: 'idle',
          description: 'The SVP\'s pass takes the report (204, 205); the CHA goes back to 301.',
          actions: 'returnToDispatcher',
          meta: { seed: SEED, steps: [204, 205, 301], paras: ['0048', '0066'], rows: ['C23', 'P7'], ext: 'the seed\'s CHA returns to 301 at once; copyspec holds the report for the SVP\'s poll so each run ends in one visible state' },
        },
      },
    },
  },
});
