"""Summarize a py-spy folded-stack profile (bench/run.py --profile): where the time goes.

    python bench/profile_summary.py bench/profile-floor--logged-in.txt [--top 25]

Prints, for the functions with the most samples, the share of samples in which each is on
the stack (inclusive) and at the top of it (self).
"""

import argparse
import re
from collections import Counter
from pathlib import Path

FRAME = re.compile(r"^(?P<function>.*?) \((?P<file>[^()]*?)(?::\d+)?\)$")
# Paths are shown from the project's root or from the installed package, wherever they lie.
PROJECT = f"{Path(__file__).resolve().parent.parent}/"


def short(frame: str) -> str:
    match = FRAME.match(frame)
    if not match:
        return frame
    path = match["file"]
    for marker in ("site-packages/", PROJECT, "lib/python3.12/"):
        if marker in path:
            path = path.split(marker, 1)[1]
            break
    return f"{match['function']} ({path})"


def summarize(text: str, top: int) -> str:
    inclusive, own = Counter(), Counter()
    total = 0
    for line in text.splitlines():
        stack, _space, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        samples = int(count)
        total += samples
        frames = [short(f) for f in stack.split(";") if f and not f.startswith("process ")]
        for frame in set(frames):
            inclusive[frame] += samples
        if frames:
            own[frames[-1]] += samples
    lines = [f"{total} samples", f"{'incl':>6} {'self':>6}  function"]
    for frame, samples in inclusive.most_common(top):
        lines.append(f"{samples / total:6.1%} {own[frame] / total:6.1%}  {frame}")
    lines.append("")
    lines.append("most self time:")
    for frame, samples in own.most_common(top):
        lines.append(f"{samples / total:6.1%}  {frame}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("profile", type=Path)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    print(summarize(args.profile.read_text(), args.top))


if __name__ == "__main__":
    main()
