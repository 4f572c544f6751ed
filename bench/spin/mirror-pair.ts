/**
 * A Promela model of mirror-pair's e1 world (seed 000, embodiment 1, full resync, non-volatile control
 * memory, recommended guards), written for the bench's side-by-side run of the Spin model checker (issue 12
 * item 5), with the error suspension and reverse resync of issue 15. It is our own model, written from the
 * controller (src/mirror-pair/controller.ts), the machine (machines/mirror-pair.ts) and the model
 * (model/mirror-pair.ts), not generated from them: if its reachable-state count differs from copyspec's for
 * the same preset, one of the two is wrong, and the bench fails.
 *
 * The state vector holds what copyspec's key holds: the controller's state, volumes and four bitmaps (Pbm,
 * Sbm, the copy list, the primary's failed tracks), and the model's volumes (the secondary with UNKNOWN for a
 * byte the model does not know), release image and its null flag, tracks written since the release, and the
 * last interval and its null flag. The model's state is not a variable of its own: in every world of e1 it
 * is the controller's (the properties compare the two answers to every command), so a second copy would
 * add no state. A null image or interval keeps its bytes zero, so that two worlds copyspec takes for one are
 * one vector here. Tracks are one byte each (trackSize 1), so a write touches one track; the commands that
 * change nothing (reads, dump commands, refusals, a power cycle with non-volatile memory) are left out, since
 * a step that changes nothing adds no state. Each command is one `d_step`, so Spin stores exactly one state
 * per world. Spin must compile it with `spin -a -o2`: no Promela statement reads the model's fields, and
 * Spin's dead-variable elimination would otherwise reset them and merge worlds copyspec keeps apart.
 */

/** One byte of the model's secondary the model does not know: above every value written and FAILED. */
const UNKNOWN = 255;
/** What a failed track's bytes read (FAILED_BYTE in src/mirror-pair/events.ts). */
const FAILED = 0xee;

export interface SpinPreset {
  readonly trackCount: number;
  readonly values: readonly number[];
}

/** The controller's states, MIRROR_STATE_KEYS in Promela spelling. */
const STATES = ['SEPARATED', 'SYNCING', 'SYNCED', 'SUSPENDED', 'RESTORING', 'SUSPENDED_ERROR'] as const;

/**
 * The command that writes `value` to `track` of volume `volume` (0 primary, 1 secondary), as copyspec routes
 * it: to the volume addressed when separated, to both when mirrored, to the primary when suspended, to the
 * serving side of the track in suspended-error; refused (busy) while restoring, so not an option there.
 */
function write(volume: number, track: number, value: number): string {
  const bit = `(1 << ${track})`;
  const separated = volume === 0
    ? `P[${track}] = ${value}; Pbm = Pbm | ${bit}; mP[${track}] = ${value}; wsr = wsr | ${bit}`
    : `S[${track}] = ${value}; Sbm = Sbm | ${bit}; mS[${track}] = ${value}`;
  return `  :: d_step { cstate != RESTORING ->
       if
       :: cstate == SEPARATED -> ${separated}
       :: cstate == SYNCING || cstate == SYNCED ->
            P[${track}] = ${value}; S[${track}] = ${value}; Pbm = Pbm | ${bit}; Sbm = Sbm | ${bit};
            mP[${track}] = ${value}; mS[${track}] = ${value}; wsr = wsr | ${bit}
       :: cstate == SUSPENDED -> P[${track}] = ${value}; Pbm = Pbm | ${bit}; mP[${track}] = ${value}; wsr = wsr | ${bit}
       :: cstate == SUSPENDED_ERROR ->
            if
            :: (Pfail & ${bit}) != 0 -> S[${track}] = ${value}
            :: else -> P[${track}] = ${value}; pend = pend | ${bit}
            fi;
            Pbm = Pbm | ${bit}; mP[${track}] = ${value}; wsr = wsr | ${bit}
       fi
     }`;
}

/**
 * track.fail on `track` of `volume`: the track's bytes become FAILED and the loss is recorded (the copy list
 * for the secondary, the failed-track record for the primary); the pair is suspended by error and the model
 * forgets the secondary. Taken when synced, and during the copy on the secondary only.
 */
function trackFail(volume: number, track: number): string {
  const bit = `(1 << ${track})`;
  const when = volume === 0 ? 'cstate == SYNCED' : '(cstate == SYNCING || cstate == SYNCED)';
  const lose = volume === 0 ? `P[${track}] = ${FAILED}; Pfail = Pfail | ${bit}` : `S[${track}] = ${FAILED}; pend = pend | ${bit}`;
  return `  :: d_step { ${when} -> ${lose}; cstate = SUSPENDED_ERROR; forgetSecondary() }`;
}

/** The `if` that takes the lowest pending track off the copy list and copies it with `copy(track)`. */
function lowestPending(n: number, copy: (track: number) => string): string {
  const all = (1 << n) - 1;
  const options = Array.from({ length: n }, (_, t) => {
    const lower = (1 << t) - 1;
    return `       :: (pend & ${lower}) == 0 && (pend & ${1 << t}) != 0 -> pend = pend & ${all ^ (1 << t)}; ${copy(t)}`;
  });
  return `       if\n${options.join('\n')}\n       fi`;
}

/** The globals and the inline macros every command shares: the raised completions and the start of a copy. */
function declarations(preset: SpinPreset): string {
  const n = preset.trackCount;
  const forTracks = (body: (track: number) => string): string => Array.from({ length: n }, (_, t) => body(t)).join('; ');
  return `/* mirror-pair e1, ${n} one-byte tracks, values ${preset.values.join(', ')}: written by bench/spin/mirror-pair.ts. */
mtype = { ${STATES.join(', ')} };
mtype cstate = SEPARATED;
byte P[${n}]; byte S[${n}];
byte Pbm; byte Sbm; byte pend; byte Pfail;
byte mP[${n}]; byte mS[${n}];
bit relNull = 1; byte rel[${n}];
byte wsr;
bit lastNull = 1; byte lastI;

/*
 * The internal events raised after any accepted command that leaves the copy list empty: copy.complete in
 * syncing (Sbm := Pbm; the model's secondary becomes its primary), restore.complete in restoring.
 */
inline complete() {
  if
  :: cstate == SYNCING && pend == 0 -> Sbm = Pbm; cstate = SYNCED; ${forTracks((t) => `mS[${t}] = mP[${t}]`)}
  :: cstate == RESTORING && pend == 0 -> cstate = SUSPENDED
  :: else -> skip
  fi
}

/* The model forgets the secondary (during a copy, or after a track error). */
inline forgetSecondary() {
  ${forTracks((t) => `mS[${t}] = ${UNKNOWN}`)}
}

/* Leaving suspended ends the dump window: the model forgets the release image and its interval. */
inline forgetRelease() {
  relNull = 1; ${forTracks((t) => `rel[${t}] = 0`)}; lastNull = 1; lastI = 0
}

/* pair.establish and pair.resync (e1, full): Sbm := 0, every track pending; the model forgets the secondary. */
inline startCopy() {
  Sbm = 0; pend = ${(1 << n) - 1}; cstate = SYNCING; forgetSecondary(); forgetRelease()
}
`;
}

/** The whole model for `preset`: globals, the macros, and one process trying every command. */
export function mirrorPairPromela(preset: SpinPreset): string {
  const n = preset.trackCount;
  const forTracks = (body: (track: number) => string): string => Array.from({ length: n }, (_, t) => body(t)).join('; ');
  const writes: string[] = [];
  const fails: string[] = [];
  for (const volume of [0, 1]) {
    for (let track = 0; track < n; track += 1) {
      for (const value of preset.values) writes.push(write(volume, track, value));
      fails.push(trackFail(volume, track));
    }
  }
  const repair = forTracks((t) => `if :: (Pfail & ${1 << t}) != 0 -> P[${t}] = S[${t}] :: else -> skip fi`);
  return `${declarations(preset)}
active proctype world() {
  do
${writes.join('\n')}
${fails.join('\n')}
  :: d_step { cstate == SEPARATED -> startCopy(); complete() }
  :: d_step { cstate == SUSPENDED -> startCopy(); complete() }
  :: d_step { cstate == SUSPENDED_ERROR -> ${repair}; Pfail = 0; startCopy(); complete() }
  :: d_step { cstate == SYNCING ->
${lowestPending(n, (t) => `S[${t}] = P[${t}]`)};
       complete() }
  :: d_step { cstate == RESTORING ->
${lowestPending(n, (t) => `P[${t}] = S[${t}]`)};
       complete() }
  :: d_step { cstate == SYNCED -> Pbm = 0; cstate = SUSPENDED;
       relNull = 0; ${forTracks((t) => `rel[${t}] = mP[${t}]`)}; lastNull = 0; lastI = wsr; wsr = 0 }
  :: d_step { cstate == SUSPENDED -> pend = Pbm | Sbm; Pbm = 0; cstate = RESTORING;
       ${forTracks((t) => `mP[${t}] = rel[${t}]`)}; wsr = 0; complete() }
  :: d_step { cstate == SYNCING || cstate == SYNCED || cstate == SUSPENDED -> pend = 0; cstate = SEPARATED; forgetRelease() }
  od
}
`;
}
