/**
 * A Promela model of mirror-pair's e1 world (seed 000, embodiment 1, full resync, non-volatile control
 * memory), written for the bench's side-by-side run of the Spin model checker (issue 12 item 5). It is our
 * own model, written from the controller (src/mirror-pair/controller.ts) and the model
 * (model/mirror-pair.ts), not generated from them: if its reachable-state count differs from copyspec's
 * for the same preset, one of the two is wrong, and the bench fails.
 *
 * The state vector holds what copyspec's key holds: the controller's state, volumes and three bitmaps, and
 * the model's state, volumes (the secondary with UNKNOWN for a byte the model does not know), release image
 * and its null flag, tracks written since the release, and the last interval and its null flag. A null
 * image or interval keeps its bytes zero, so that two worlds copyspec takes for one are one vector here.
 * Tracks are one byte each (trackSize 1), so a write touches one track; the commands that change nothing
 * (reads, dump commands, refusals, a power cycle with non-volatile memory) are left out, since a step that
 * changes nothing adds no state. Each command is one `d_step`, so Spin stores exactly one state per world.
 * Spin must compile it with `spin -a -o2`: no Promela statement reads the model's fields, and Spin's
 * dead-variable elimination would otherwise reset them and merge worlds copyspec keeps apart.
 */

/** One byte of the model's secondary the model does not know: above every value written. */
const UNKNOWN = 255;

export interface SpinPreset {
  readonly trackCount: number;
  readonly values: readonly number[];
}

const STATES = ['SEPARATED', 'SYNCING', 'SYNCED', 'SUSPENDED'] as const;

/** The command that writes `value` to `track` of volume `volume` (0 primary, 1 secondary), as copyspec routes it. */
function write(volume: number, track: number, value: number): string {
  const bit = `(1 << ${track})`;
  const toPrimary = volume === 0 ? 'true' : 'cstate != SEPARATED';
  return `  :: d_step {
       if
       :: cstate == SEPARATED && ${volume === 0 ? 'false' : 'true'} ->
            S[${track}] = ${value}; Sbm = Sbm | ${bit};
            mS[${track}] = ${value}
       :: cstate == SYNCING || cstate == SYNCED ->
            P[${track}] = ${value}; S[${track}] = ${value}; Pbm = Pbm | ${bit}; Sbm = Sbm | ${bit};
            mP[${track}] = ${value}; mS[${track}] = ${value}; wsr = wsr | ${bit}
       :: else ->
            if
            :: ${toPrimary} -> P[${track}] = ${value}; Pbm = Pbm | ${bit}; mP[${track}] = ${value}; wsr = wsr | ${bit}
            :: else -> skip
            fi
       fi
     }`;
}

/** The whole model for `preset`: globals, the macros of copy.complete, and one process trying every command. */
export function mirrorPairPromela(preset: SpinPreset): string {
  const n = preset.trackCount;
  const all = (1 << n) - 1;
  const writes: string[] = [];
  for (const volume of [0, 1]) for (let track = 0; track < n; track += 1) for (const value of preset.values) writes.push(write(volume, track, value));
  const forTracks = (body: (track: number) => string): string => Array.from({ length: n }, (_, t) => body(t)).join('; ');
  const copySteps = Array.from({ length: n }, (_, t) => {
    const lower = (1 << t) - 1;
    return `       :: (pend & ${lower}) == 0 && (pend & ${1 << t}) != 0 -> pend = pend & ${all ^ (1 << t)}; S[${t}] = P[${t}]`;
  }).join('\n');
  return `/* mirror-pair e1, ${n} one-byte tracks, values ${preset.values.join(', ')}: written by bench/spin/mirror-pair.ts. */
mtype = { ${STATES.join(', ')} };
mtype cstate = SEPARATED;
byte P[${n}]; byte S[${n}];
byte Pbm; byte Sbm; byte pend;
byte mP[${n}]; byte mS[${n}];
bit relNull = 1; byte rel[${n}];
byte wsr;
bit lastNull = 1; byte lastI;

/* copy.complete, raised after any accepted command that leaves no track pending in syncing: Sbm := Pbm. */
inline complete() {
  if
  :: cstate == SYNCING && pend == 0 -> Sbm = Pbm; cstate = SYNCED; ${forTracks((t) => `mS[${t}] = mP[${t}]`)}
  :: else -> skip
  fi
}

/* pair.establish and pair.resync (e1, full): Sbm := 0, every track pending; the model forgets the secondary. */
inline startCopy() {
  Sbm = 0; pend = ${all}; cstate = SYNCING;
  ${forTracks((t) => `mS[${t}] = ${UNKNOWN}`)};
  relNull = 1; ${forTracks((t) => `rel[${t}] = 0`)}; lastNull = 1; lastI = 0
}

active proctype world() {
  do
${writes.join('\n')}
  :: d_step { cstate == SEPARATED -> startCopy(); complete() }
  :: d_step { cstate == SUSPENDED -> startCopy(); complete() }
  :: d_step { cstate == SYNCING ->
       if
${copySteps}
       fi;
       complete() }
  :: d_step { cstate == SYNCED -> Pbm = 0; cstate = SUSPENDED;
       relNull = 0; ${forTracks((t) => `rel[${t}] = mP[${t}]`)}; lastNull = 0; lastI = wsr; wsr = 0 }
  :: d_step { cstate != SEPARATED -> pend = 0; cstate = SEPARATED;
       relNull = 1; ${forTracks((t) => `rel[${t}] = 0`)}; lastNull = 1; lastI = 0 }
  od
}
`;
}
