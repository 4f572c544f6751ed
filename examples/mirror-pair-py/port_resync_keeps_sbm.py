#!/usr/bin/env python3
"""The mirror-pair port of port.py with one bug planted, of the kind a port really makes: its resync steps
forget step 5030, Sbm := ∅ (the secondary's bitmap is cleared before the copy starts, in embodiment 1).

Embodiment 1 runs the resync steps for `pair.establish` as well as for `pair.resync`, so after a host write
to the secondary while separated, establishing the mirror keeps a stale Sbm. Embodiment 2 has no such
step, so e2 and its variants still pass; `copyspec conform` fails on e1 and e1-differential and shrinks the
difference to two commands:

    npx copyspec conform --lifecycle mirror-pair --variant e1 -- python3 examples/mirror-pair-py/port_resync_keeps_sbm.py
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from port import MirrorPair, serve  # noqa: E402


class ResyncKeepsSecondaryBitmap(MirrorPair):
    def resync_steps(self, tracks):
        # BUG (planted): embodiment 1's 5030, Sbm := ∅, is missing; the copy starts with Sbm as it was.
        self.pending = set(tracks)
        self.state = "mirror.syncing"


if __name__ == "__main__":
    sys.exit(serve(ResyncKeepsSecondaryBitmap))
