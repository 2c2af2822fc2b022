"""Self cost per function from a callgrind file (inlined code folded into
its caller), per request: ir_top.py FILE REQUESTS [TOP]."""
import sys, re, collections
names = {}; cost = collections.Counter(); fn = None; incall = False
def name(kind, s):
    m = re.match(r"\((\d+)\)(?: (.*))?", s)
    if not m: return s
    if m.group(2): names[(kind, m.group(1))] = m.group(2)
    return names.get((kind, m.group(1)), s)
total = 0
for line in open(sys.argv[1], errors="replace"):
    line = line.rstrip("\n")
    if line.startswith("fn="): fn = name("fn", line[3:]); continue
    if line.startswith(("cfn=",)): name("fn", line[4:]); continue
    if line.startswith("calls="): incall = True; continue
    if line and (line[0].isdigit() or line[0] in "+-*"):
        parts = line.split()
        if len(parts) >= 2:
            v = int(parts[1])
            if incall: incall = False; continue
            cost[fn] += v; total += v
        continue
n = float(sys.argv[2]) if len(sys.argv) > 2 else 1
print(f"total {total} = {total/n:.0f} per request")
for f, v in cost.most_common(int(sys.argv[3]) if len(sys.argv) > 3 else 45):
    print(f"{v/n:8.1f} {100*v/total:5.1f}% {f[:150]}")
