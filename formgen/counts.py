"""A count as people write it: "1 file", "2 files" (never "file(s)")."""


def plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n} {word if n == 1 else many or word + 's'}"
