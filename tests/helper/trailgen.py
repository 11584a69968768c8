#!/usr/bin/env python3
"""trailgen.py TRAIL FIRST LAST: append to TRAIL one tables_changed entry
per table TFIRST..TLAST (each adds one table, as `qmb-session tables ID
add TN` writes it), chained to the trail's last entry and stamped with
its time: a long session's trail in a fraction of the time the commands
would take."""
import hashlib
import json
import sys


def main():
    path, first, last = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    with open(path, "rb") as f:
        f.seek(0, 2)
        f.seek(max(0, f.tell() - 65536))
        tail = f.read().split(b"\n")
    head = json.loads(tail[-2])
    seq, prev = head["seq"], head["hash"]
    out = []
    for i in range(first, last + 1):
        seq += 1
        name = "T%d" % i
        e = {"seq": seq, "timestamp": head["timestamp"],
             "session_id": head["session_id"], "user_id": head["user_id"],
             "type": "tables_changed",
             "details": {"op": "add", "tables": [name], "added": [name],
                         "removed": []},
             "prev": prev}
        text = json.dumps(e, separators=(",", ":"), ensure_ascii=False)
        prev = hashlib.sha256(text.encode()).hexdigest()
        out.append(text[:-1] + ',"hash":"%s"}\n' % prev)
    with open(path, "a") as f:
        f.write("".join(out))


main()
