"""Shared learning reads (issue 18): shared summaries only (`shared=True` first), never
another force's unshared item."""


def item_learning(item, user, today):
    """What the item page shows: the item's own sharing, and how other forces answered similar
    findings (None: nothing to show)."""
    return None
