"""Report a batch: one line per brief, a count, what failed kept to inspect, and the exit code."""

import sys
from pathlib import Path

from ..defaults import EXIT_FAILED, EXIT_OK


def report(outcomes: list, out) -> int:
    for o in outcomes:
        line = f"{o.status:>8}  {o.name:<24} {o.seconds:6.1f}s"
        if o.status == "rendered":
            line += f"  {Path(out) / (o.name + '.pdf')}"
            if o.message:
                line += f" (but: {o.message})"
        elif o.message:
            line += f"  {o.message}"
        print(line)
    failed = [o for o in outcomes if o.status == "failed"]
    counts = {s: sum(o.status == s for o in outcomes) for s in ("rendered", "skipped", "failed")}
    print(f"{counts['rendered']} rendered, {counts['skipped']} unchanged, {counts['failed']} failed")
    if failed:
        kept = [k for o in failed for k in o.kept if Path(k).is_file()]  # only what is there to open
        where = f"; to inspect: {', '.join(kept)}" if kept else "; nothing could be kept to inspect"
        print(f"failed: {', '.join(o.name for o in failed)}{where}", file=sys.stderr)
    return EXIT_FAILED if failed else EXIT_OK
