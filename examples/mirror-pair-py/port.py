#!/usr/bin/env python3
"""A port of copyspec's mirror-pair lifecycle (seed 000) to Python 3, standard library only.

Written against docs/conform.md (the adapter protocol) and the mirror-pair section of docs/vectors.md (what
each command does), as a porter new to copyspec would write it: every fact it relies on is stated there
(the docs were completed where this port needed something they did not say). Checked by

    npx copyspec conform --lifecycle mirror-pair --exhaustive -- python3 examples/mirror-pair-py/port.py

It implements every parameter the vector files and the literal-defect variant carry: embodiment 1 and 2,
writeRecording each-volume and primary-only, resyncCopy full and differential, controlMemory non-volatile
and volatile, guards recommended and literal; and the extensions beyond the seed (issue 15): a track error
(`track.fail`) that suspends the pair by error, the reverse resync (`pair.restore`), and online verify
(`pair.verify`, `verify.step`) with the silent corruption it finds (`track.corrupt`).

`MirrorPair` is the controller and knows nothing of the protocol; `serve` is the protocol loop. The planted
bug of port_resync_keeps_sbm.py is a subclass of `MirrorPair` that changes one method.
"""
import json
import sys

PROTOCOL = "copyspec-conform-1"
PAIR = 0
PRIMARY, SECONDARY = 0, 1

# Reason codes (docs/vectors.md, "Refusals it gives"), checked in this order.
MALFORMED, UNKNOWN_PAIR, UNKNOWN_VOLUME, TRACK_OUT_OF_RANGE, LENGTH_OUT_OF_RANGE, WRONG_STATE, BUSY = 1, 2, 3, 4, 5, 6, 7
REASONS = {1: "malformed-command", 2: "unknown-pair", 3: "unknown-volume", 4: "track-out-of-range",
           5: "length-out-of-range", 6: "wrong-state", 7: "busy"}
FAILED_BYTE = 0xEE
CORRUPT_BYTE = 0xCC

HEX_DIGITS = set("0123456789abcdef")

# Commands each state accepts, besides host.write, host.read and power.cycle, which every state accepts.
# restoring refuses host.write (busy); it is added back to ALWAYS only for the other states.
RECOMMENDED = {
    "separated": {"pair.establish"},
    "mirror.syncing": {"copy.step", "pair.separate", "track.fail"},
    "mirror.synced": {"pair.suspend", "pair.separate", "track.fail", "pair.verify", "track.corrupt"},
    "mirror.verifying": {"verify.step", "pair.separate", "track.fail", "track.corrupt"},
    "suspended": {"pair.resync", "pair.restore", "pair.separate", "dump.update-info", "dump.read"},
    "restoring": {"copy.step"},
    "suspended-error": {"pair.resync"},
}
LITERAL_EXTRA = {
    "separated": set(),
    "mirror.syncing": {"pair.suspend", "dump.update-info", "dump.read"},
    "mirror.synced": {"dump.update-info", "dump.read"},
    "mirror.verifying": {"dump.update-info", "dump.read"},
    "suspended": {"pair.suspend"},
    "restoring": set(),
    "suspended-error": set(),
}
ALWAYS = {"host.write", "host.read", "power.cycle"}


class Refused(Exception):
    def __init__(self, code):
        super().__init__(REASONS[code])
        self.code = code


def is_hex(text):
    return isinstance(text, str) and len(text) % 2 == 0 and all(c in HEX_DIGITS for c in text)


def bits(tracks, count):
    return "".join("1" if track in tracks else "0" for track in range(count))


class MirrorPair:
    """One pair: two volumes, Pbm, Sbm and the copy list, driven by the commands of docs/vectors.md."""

    def __init__(self, parameters, geometry):
        self.embodiment = parameters["embodiment"]
        self.primary_only = parameters["writeRecording"] == "primary-only"
        self.differential = parameters["resyncCopy"] == "differential"
        self.volatile = parameters["controlMemory"] == "volatile"
        self.literal = parameters["guards"] == "literal"
        self.track_count = geometry["trackCount"]
        self.track_size = geometry["trackSize"]
        self.size = self.track_count * self.track_size
        self.volumes = [bytearray(self.size), bytearray(self.size)]
        self.state = "separated"
        self.pbm = set()
        self.sbm = set()
        self.pending = set()
        self.failed = set()
        self.found = set()

    def observe(self):
        return {
            "state": self.state,
            "primary": self.volumes[PRIMARY].hex(),
            "secondary": self.volumes[SECONDARY].hex(),
            "primaryBitmap": bits(self.pbm, self.track_count),
            "secondaryBitmap": bits(self.sbm, self.track_count),
            "copyPending": bits(self.pending, self.track_count),
            "primaryFailed": bits(self.failed, self.track_count),
            "verifyFound": bits(self.found, self.track_count),
        }

    # ------------------------------------------------------------------ checks, in the documented order

    def check_range(self, offset, length):
        if offset >= self.size:
            raise Refused(TRACK_OUT_OF_RANGE)
        if length == 0 or offset + length > self.size:
            raise Refused(LENGTH_OUT_OF_RANGE)

    def check_arguments(self, command):
        kind = command["type"]
        if kind == "host.write":
            if not is_hex(command["data"]):
                raise Refused(MALFORMED)
            if command["volume"] not in (PRIMARY, SECONDARY):
                raise Refused(UNKNOWN_VOLUME)
            self.check_range(command["offset"], len(command["data"]) // 2)
        elif kind == "host.read":
            if command["volume"] not in (PRIMARY, SECONDARY):
                raise Refused(UNKNOWN_VOLUME)
            self.check_range(command["offset"], command["length"])
        elif kind == "dump.read":
            if command["pair"] != PAIR:
                raise Refused(UNKNOWN_PAIR)
            if any(track >= self.track_count for track in command["tracks"]):
                raise Refused(TRACK_OUT_OF_RANGE)
            if len(command["tracks"]) == 0:
                raise Refused(LENGTH_OUT_OF_RANGE)
        elif kind == "track.fail":
            if command["volume"] not in (PRIMARY, SECONDARY):
                raise Refused(UNKNOWN_VOLUME)
            if command["track"] >= self.track_count:
                raise Refused(TRACK_OUT_OF_RANGE)
        elif kind == "track.corrupt":
            if command["track"] >= self.track_count:
                raise Refused(TRACK_OUT_OF_RANGE)
        elif kind != "power.cycle":
            if command["pair"] != PAIR:
                raise Refused(UNKNOWN_PAIR)

    def check_state(self, command):
        kind = command["type"]
        if self.state == "restoring" and kind == "host.write":
            raise Refused(BUSY)
        always = ALWAYS - {"host.write"} if self.state == "restoring" else ALWAYS
        allowed = always | RECOMMENDED[self.state] | (LITERAL_EXTRA[self.state] if self.literal else set())
        if kind not in allowed:
            raise Refused(WRONG_STATE)
        # During the copy the primary holds the only current copy of the tracks still to copy.
        if kind == "track.fail" and command["volume"] == PRIMARY and self.state == "mirror.syncing":
            raise Refused(WRONG_STATE)

    # ------------------------------------------------------------------ the commands

    def handle(self, command):
        """The outcome of one command, as docs/vectors.md's mirror-pair section words it."""
        try:
            self.check_arguments(command)
            self.check_state(command)
        except Refused as refused:
            return {"accepted": False, "reason": REASONS[refused.code], "code": refused.code}
        source = self.state
        result = getattr(self, "do_" + command["type"].replace(".", "_").replace("-", "_"))(command)
        transitions = ["%s --%s--> %s" % (source, command["type"], self.state)]
        if self.state == "mirror.syncing" and not self.pending:
            transitions.append(self.complete_copy())
        elif self.state == "restoring" and not self.pending:
            self.state = "suspended"
            transitions.append("restoring --restore.complete--> suspended")
        elif self.state == "mirror.verifying" and not self.pending:
            # verify.complete: the tracks found are reported and the record cleared.
            result = {"kind": "verify", "bitmap": bits(self.found, self.track_count)}
            self.found = set()
            self.state = "mirror.synced"
            transitions.append("mirror.verifying --verify.complete--> mirror.synced")
        outcome = {"accepted": True, "transitions": transitions}
        if result is not None:
            outcome["result"] = result
        return outcome

    def tracks_of(self, offset, length):
        first = offset // self.track_size
        last = (offset + length + self.track_size - 1) // self.track_size - 1
        return set(range(first, last + 1))

    def do_host_write(self, command):
        data = bytes.fromhex(command["data"])
        offset, volume = command["offset"], command["volume"]
        tracks = self.tracks_of(offset, len(data))
        if self.state == "separated":
            self.volumes[volume][offset:offset + len(data)] = data
            if volume == PRIMARY:
                self.pbm |= tracks
            elif not self.primary_only:
                self.sbm |= tracks
        elif self.state == "suspended":
            self.volumes[PRIMARY][offset:offset + len(data)] = data
            self.pbm |= tracks
        elif self.state == "suspended-error":
            for track in tracks:
                start = max(offset, track * self.track_size)
                end = min(offset + len(data), (track + 1) * self.track_size)
                side = SECONDARY if track in self.failed else PRIMARY
                self.volumes[side][start:end] = data[start - offset:end - offset]
                if side == PRIMARY:
                    self.pending.add(track)
            self.pbm |= tracks
        else:
            for written in self.volumes:
                written[offset:offset + len(data)] = data
            self.pbm |= tracks
            if not self.primary_only:
                self.sbm |= tracks
        return None

    def do_host_read(self, command):
        offset, length = command["offset"], command["length"]
        if self.state == "suspended-error":
            data = bytearray()
            for track in sorted(self.tracks_of(offset, length)):
                start = max(offset, track * self.track_size)
                end = min(offset + length, (track + 1) * self.track_size)
                data += self.volumes[SECONDARY if track in self.failed else PRIMARY][start:end]
            return {"kind": "read", "data": data.hex()}
        if self.state == "restoring":
            # Track by track: the secondary for a track still to copy back, the primary for any other.
            data = bytearray()
            for track in sorted(self.tracks_of(offset, length)):
                start = max(offset, track * self.track_size)
                end = min(offset + length, (track + 1) * self.track_size)
                data += self.volumes[SECONDARY if track in self.pending else PRIMARY][start:end]
            return {"kind": "read", "data": data.hex()}
        volume = command["volume"] if self.state == "separated" else PRIMARY
        return {"kind": "read", "data": self.volumes[volume][offset:offset + length].hex()}

    def resync_steps(self, tracks):
        """The resync steps establish and resync share: embodiment 1 clears Sbm (5030), then the copy starts."""
        if self.embodiment == 1:
            self.sbm = set()
        self.pending = set(tracks)
        self.state = "mirror.syncing"

    def do_pair_establish(self, _command):
        self.resync_steps(range(self.track_count))

    def do_pair_resync(self, _command):
        if self.state == "suspended-error":
            # Rewrite the primary's failed tracks from the secondary; a differential resync copies the kept list.
            for track in self.failed:
                self.copy_track(SECONDARY, PRIMARY, track)
            self.failed = set()
            self.resync_steps(set(self.pending) if self.differential else range(self.track_count))
        else:
            self.resync_steps(set(self.pbm) if self.differential else range(self.track_count))

    def copy_track(self, source, target, track):
        start, end = track * self.track_size, (track + 1) * self.track_size
        self.volumes[target][start:end] = self.volumes[source][start:end]

    def do_copy_step(self, _command):
        track = min(self.pending)
        self.pending.discard(track)
        if self.state == "restoring":
            self.copy_track(SECONDARY, PRIMARY, track)
        else:
            self.copy_track(PRIMARY, SECONDARY, track)

    def do_track_fail(self, command):
        if self.state == "mirror.verifying":
            # The error abandons the verify: its list and findings go.
            self.pending, self.found = set(), set()
        volume, track = command["volume"], command["track"]
        start = track * self.track_size
        self.volumes[volume][start:start + self.track_size] = bytes([FAILED_BYTE]) * self.track_size
        if volume == PRIMARY:
            self.failed.add(track)
        else:
            self.pending.add(track)
        self.state = "suspended-error"

    def do_track_corrupt(self, command):
        start = command["track"] * self.track_size
        self.volumes[SECONDARY][start:start + self.track_size] = bytes([CORRUPT_BYTE]) * self.track_size

    def do_pair_verify(self, _command):
        self.pending = set(range(self.track_count))
        self.state = "mirror.verifying"

    def do_verify_step(self, _command):
        track = min(self.pending)
        self.pending.discard(track)
        start, end = track * self.track_size, (track + 1) * self.track_size
        if self.volumes[PRIMARY][start:end] != self.volumes[SECONDARY][start:end]:
            self.found.add(track)

    def do_pair_restore(self, _command):
        self.pending = self.pbm | self.sbm
        self.pbm = set()
        self.state = "restoring"

    def complete_copy(self):
        """copy.complete, raised when the copy list empties in mirror.syncing."""
        if self.embodiment == 1:
            self.sbm = set(self.pbm)
        self.state = "mirror.synced"
        return "mirror.syncing --copy.complete--> mirror.synced"

    def do_pair_suspend(self, _command):
        if self.embodiment == 2 and self.state == "mirror.synced":
            self.sbm = set(self.pbm)
        self.pbm = set()
        self.state = "suspended"

    def do_pair_separate(self, _command):
        if self.state.startswith("mirror"):
            self.pending, self.found = set(), set()
        self.state = "separated"

    def do_dump_update_info(self, _command):
        return {"kind": "update-info", "bitmap": bits(self.sbm, self.track_count)}

    def do_dump_read(self, command):
        secondary = self.volumes[SECONDARY]
        records = [{"track": t, "data": secondary[t * self.track_size:(t + 1) * self.track_size].hex()} for t in command["tracks"]]
        return {"kind": "dump", "records": records}

    def do_power_cycle(self, _command):
        if self.volatile:
            self.state = "separated"
            self.pbm, self.sbm, self.pending, self.failed, self.found = set(), set(), set(), set(), set()


def serve(controller_class, stdin=sys.stdin, stdout=sys.stdout):
    """The protocol loop of docs/conform.md: one JSON line in, one JSON line out, flushed."""
    controller = None
    for line in stdin:
        message = json.loads(line)
        if message["message"] == "init":
            if message["protocol"] != PROTOCOL:
                sys.stderr.write("unknown protocol %r\n" % message["protocol"])
                return 1
            if "pairCount" in message["parameters"]:
                # A consistency group of pairs (issue 15 item 3) is not ported: decline it, rather than run it as one pair.
                controller = None
                answer = {"protocol": PROTOCOL, "ready": False, "reason": "consistency groups (pairCount) are not implemented"}
            else:
                controller = controller_class(message["parameters"], message["geometry"])
                answer = {"protocol": PROTOCOL, "ready": True, "observed": controller.observe()}
        else:
            outcome = controller.handle(message["command"])
            answer = {"step": message["step"], "outcome": outcome, "observed": controller.observe()}
        stdout.write(json.dumps(answer, separators=(",", ":")) + "\n")
        stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(serve(MirrorPair))
