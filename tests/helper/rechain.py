#!/usr/bin/env python3
"""rechain.py TRAIL [STATE]: renumber and rehash every entry of TRAIL as
qmb would have written it (seq from 1, prev, hash), after an edit by
hand: what someone who can write the project folder can do.  With STATE,
the session file's audit_seq and audit_hash are made to name the new
head too."""
import hashlib
import json
import sys


def main():
    path = sys.argv[1]
    with open(path, encoding="utf-8") as f:
        entries = [json.loads(l) for l in f if l.strip()]
    prev = "0" * 64
    out = []
    for seq, e in enumerate(entries, 1):
        e.pop("hash", None)
        e["seq"] = seq
        e["prev"] = prev
        e = {k: e[k] for k in ("seq", "timestamp", "session_id", "user_id",
                               "type", "details", "prev")}
        text = json.dumps(e, separators=(",", ":"), ensure_ascii=False)
        prev = hashlib.sha256(text.encode()).hexdigest()
        out.append(text[:-1] + ',"hash":"%s"}\n' % prev)
    with open(path, "w", encoding="utf-8") as f:
        f.write("".join(out))
    if len(sys.argv) > 2:
        with open(sys.argv[2], encoding="utf-8") as f:
            state = json.load(f)
        state["audit_seq"] = len(entries)
        state["audit_hash"] = prev
        with open(sys.argv[2], "w", encoding="utf-8") as f:
            json.dump(state, f, indent=2, ensure_ascii=False)
            f.write("\n")


main()
