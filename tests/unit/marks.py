"""Sentences with the expected evidence in brackets: "Ukraine wants peace, and [it has pledged to
hold talks]." The grammar tests of claims/ write their cases this way."""


def unmark(marked: str) -> tuple[str, int, int]:
    """The sentence without its brackets, and (start, end) of the bracketed evidence in it."""
    return marked.replace("[", "").replace("]", ""), marked.index("["), marked.index("]") - 1
