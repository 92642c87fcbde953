"""The WordprocessingML namespace, once."""

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}


def q(tag: str) -> str:
    """``w:tag`` as lxml spells it."""
    return f"{{{W}}}{tag}"
