"""The demo's part of issue 18 (being built)."""


def create(*, today) -> None:
    """Add this part's demo rows (after the rest of the demo exists)."""
