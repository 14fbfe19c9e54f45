"""Random mutations of a config's lines for property tests: drop, duplicate or insert a
word, or swap two lines."""

from __future__ import annotations

from hypothesis import strategies as st


def mutate(lines: list[str], data: st.DataObject) -> str:
    lines = list(lines)
    for _ in range(data.draw(st.integers(1, 4))):
        i = data.draw(st.integers(0, len(lines) - 1))
        words = lines[i].split(" ")
        j = data.draw(st.integers(0, max(len(words) - 1, 0)))
        choice = data.draw(st.sampled_from(["drop", "dup", "junk", "swap"]))
        if choice == "drop" and words:
            del words[j]
        elif choice == "dup" and words:
            words.insert(j, words[j])
        elif choice == "junk":
            words.insert(j, data.draw(st.text(max_size=8)))
        else:
            lines[i], lines[-1 - i] = lines[-1 - i], lines[i]
        lines[i] = " ".join(words)
    return "\n".join(lines)
