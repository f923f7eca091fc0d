"""Removes TRAINING examples that nearly copy an open-set evaluation message (word-set Jaccard >= 0.7, bench/overlap.py).

Evaluation data is never edited; a near copy in training would make the benchmark score its own training data.
Run from the repository root: python scripts/drop-near-copies.py [--apply]
"""
import sys, yaml, glob, re
sys.path.insert(0, ".")
from bench.overlap import words, NEAR_COPY
ev = {}
for p in glob.glob("tests/data/open_set/**/*.yml", recursive=True):
    d = yaml.safe_load(open(p))
    for k in ("unrelated", "near_domain"):
        ev.setdefault(d["language"], []).extend(words(m) for m in d[k])
apply = "--apply" in sys.argv
total = 0
for p in sorted(glob.glob("data/nlu/*/*.yml")):
    lines = open(p, encoding="utf-8").read().split("\n")
    lang = p.split("/")[2]
    out, removed = [], []
    for line in lines:
        s = line.strip()
        if s.startswith("- ") and line.startswith("    "):
            w = words(s[2:])
            if any(w | e and len(w & e) / len(w | e) >= NEAR_COPY for e in ev.get(lang, [])):
                removed.append(s[2:]); continue
        out.append(line)
    if removed:
        total += len(removed)
        print(p, len(removed), removed[:3])
        if apply:
            open(p, "w", encoding="utf-8").write("\n".join(out))
print("total", total)
