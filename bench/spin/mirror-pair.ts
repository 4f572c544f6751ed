/**
 * A Promela model of mirror-pair's e1 world (seed 000, embodiment 1, full resync, non-volatile control
 * memory, recommended guards), written for the bench's side-by-side run of the Spin model checker (issue 12
 * item 5), with the error suspension, reverse resync and online verify of issue 15. It is our own model, written from the
 * controller (src/mirror-pair/controller.ts), the machine (machines/mirror-pair.ts) and the model
 * (model/mirror-pair.ts), not generated from them: if its reachable-state count differs from copyspec's for
 * the same preset, one of the two is wrong, and the bench fails.
 *
 * The state vector holds what copyspec's key holds: the controller's state, volumes and five bitmaps (Pbm,
 * Sbm, the copy list, the primary's failed tracks, the verify's findings), and the model's volumes (the
 * secondary with UNKNOWN for a byte the model does not know), release image and its null flag, tracks
 * written since the release, the last interval and its null flag, the silently corrupted tracks and the two
 * sets a running verify is bounded by (zero when not verifying, where copyspec's are null: the state says
 * which). The model's state is not a variable of its own: in every world of e1 it
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
/** What a silently corrupted track's bytes read (CORRUPT_BYTE in src/mirror-pair/events.ts). */
const CORRUPT = 0xcc;

export interface SpinPreset {
  readonly trackCount: number;
  readonly values: readonly number[];
}

/** The controller's states, MIRROR_STATE_KEYS in Promela spelling. */
const STATES = ['SEPARATED', 'SYNCING', 'SYNCED', 'SUSPENDED', 'RESTORING', 'SUSPENDED_ERROR', 'VERIFYING'] as const;

/**
 * The command that writes `value` to `track` of volume `volume` (0 primary, 1 secondary), as copyspec routes
 * it: to the volume addressed when separated, to both when mirrored, to the primary when suspended, to the
 * serving side of the track in suspended-error; refused (busy) while restoring, so not an option there. A
 * track is one byte, so a write rewrites its whole track: mirrored or suspended by error, a corrupted track
 * written is no longer corrupted in the model (and no longer one a running verify must report).
 */
function write(volume: number, track: number, value: number): string {
  const bit = `(1 << ${track})`;
  const separated = volume === 0
    ? `P[${track}] = ${value}; Pbm = Pbm | ${bit}; mP[${track}] = ${value}; wsr = wsr | ${bit}`
    : `S[${track}] = ${value}; Sbm = Sbm | ${bit}; mS[${track}] = ${value}`;
  return `  :: d_step { cstate != RESTORING ->
       if
       :: cstate == SEPARATED -> ${separated}
       :: cstate == SYNCING || cstate == SYNCED || cstate == VERIFYING ->
            P[${track}] = ${value}; S[${track}] = ${value}; Pbm = Pbm | ${bit}; Sbm = Sbm | ${bit};
            mP[${track}] = ${value}; mS[${track}] = ${value}; wsr = wsr | ${bit}; corr = corr & ~${bit}; vMust = vMust & ~${bit}
       :: cstate == SUSPENDED -> P[${track}] = ${value}; Pbm = Pbm | ${bit}; mP[${track}] = ${value}; wsr = wsr | ${bit}
       :: cstate == SUSPENDED_ERROR ->
            if
            :: (Pfail & ${bit}) != 0 -> S[${track}] = ${value}
            :: else -> P[${track}] = ${value}; pend = pend | ${bit}
            fi;
            Pbm = Pbm | ${bit}; mP[${track}] = ${value}; wsr = wsr | ${bit}; corr = corr & ~${bit}
       fi
     }`;
}

/**
 * track.fail on `track` of `volume`: a running verify is abandoned; the track's bytes become FAILED and the
 * loss is recorded (the copy list for the secondary, the failed-track record for the primary); the pair is
 * suspended by error and the model forgets the secondary but its corrupted tracks. An error on the primary
 * of a corrupted track loses the host's data there: the model's primary takes the corrupted byte. Taken when
 * synced or verifying, and during the copy on the secondary only.
 */
function trackFail(volume: number, track: number): string {
  const bit = `(1 << ${track})`;
  const when = volume === 0 ? '(cstate == SYNCED || cstate == VERIFYING)' : '(cstate == SYNCING || cstate == SYNCED || cstate == VERIFYING)';
  const lose = volume === 0
    ? `P[${track}] = ${FAILED}; Pfail = Pfail | ${bit}; if :: (corr & ${bit}) != 0 -> mP[${track}] = mS[${track}] :: else -> skip fi`
    : `S[${track}] = ${FAILED}; pend = pend | ${bit}`;
  return `  :: d_step { ${when} -> if :: cstate == VERIFYING -> pend = 0; found = 0 :: else -> skip fi;
       ${lose}; corr = corr & ~${bit}; cstate = SUSPENDED_ERROR; forgetUncorrupted(); vMust = 0; vMay = 0 }`;
}

/**
 * track.corrupt on `track`: the secondary's byte becomes CORRUPT, recorded nowhere in the controller; in the
 * model the track is corrupted, and a running verify may report it, unless the primary holds CORRUPT too (no
 * value written does, but a restore of a corrupted track brings it there).
 */
function trackCorrupt(track: number): string {
  const bit = `(1 << ${track})`;
  return `  :: d_step { cstate == SYNCED || cstate == VERIFYING -> S[${track}] = ${CORRUPT}; mS[${track}] = ${CORRUPT};
       if :: (corr & ${bit}) == 0 && mP[${track}] != ${CORRUPT} -> corr = corr | ${bit}; if :: cstate == VERIFYING -> vMay = vMay | ${bit} :: else -> skip fi :: else -> skip fi }`;
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
byte found; byte corr; byte vMust; byte vMay;

/*
 * The internal events raised after any accepted command that leaves the copy list empty: copy.complete in
 * syncing (Sbm := Pbm; the model's secondary becomes its primary but on its corrupted tracks, which a full
 * copy leaves none of in e1), restore.complete in restoring, verify.complete in verifying (its findings
 * reported and cleared).
 */
inline complete() {
  if
  :: cstate == SYNCING && pend == 0 -> Sbm = Pbm; cstate = SYNCED; ${forTracks((t) => `if :: (corr & ${1 << t}) == 0 -> mS[${t}] = mP[${t}] :: else -> skip fi`)}
  :: cstate == RESTORING && pend == 0 -> cstate = SUSPENDED
  :: cstate == VERIFYING && pend == 0 -> found = 0; cstate = SYNCED; vMust = 0; vMay = 0
  :: else -> skip
  fi
}

/* The model forgets the secondary (during a copy). */
inline forgetSecondary() {
  ${forTracks((t) => `mS[${t}] = ${UNKNOWN}`)}
}

/* The model forgets the secondary but its corrupted tracks (after a track error). */
inline forgetUncorrupted() {
  ${forTracks((t) => `if :: (corr & ${1 << t}) == 0 -> mS[${t}] = ${UNKNOWN} :: else -> skip fi`)}
}

/* Leaving suspended ends the dump window: the model forgets the release image and its interval. */
inline forgetRelease() {
  relNull = 1; ${forTracks((t) => `rel[${t}] = 0`)}; lastNull = 1; lastI = 0
}

/* pair.establish and pair.resync (e1, full): Sbm := 0, every track pending; the model forgets the secondary, which the copy rewrites whole. */
inline startCopy() {
  Sbm = 0; pend = ${(1 << n) - 1}; cstate = SYNCING; forgetSecondary(); forgetRelease(); corr = 0
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
  for (let track = 0; track < n; track += 1) fails.push(trackCorrupt(track));
  // pair.restore: each track in Pbm OR Sbm holds the split image at once for a host (the corrupted byte where
  // the secondary's copy is corrupted); the others are as they were.
  const restore = forTracks((t) => `if :: ((wsr | lastI) & ${1 << t}) != 0 -> if :: (corr & ${1 << t}) != 0 -> mP[${t}] = mS[${t}] :: else -> mP[${t}] = rel[${t}] fi :: else -> skip fi`);
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
       ${restore}; wsr = 0; complete() }
  :: d_step { cstate == SYNCING || cstate == SYNCED || cstate == SUSPENDED || cstate == VERIFYING ->
       pend = 0; found = 0; cstate = SEPARATED; forgetRelease(); corr = 0; vMust = 0; vMay = 0 }
  :: d_step { cstate == SYNCED -> pend = ${(1 << n) - 1}; cstate = VERIFYING; vMust = corr; vMay = corr }
  :: d_step { cstate == VERIFYING ->
${lowestPending(n, (t) => `if :: P[${t}] != S[${t}] -> found = found | ${1 << t} :: else -> skip fi`)};
       complete() }
  od
}
`;
}
