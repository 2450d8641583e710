"""National recommendations across forces and the inspectorate's view of items (issue 18):
reads, scoped to what the person may see."""


def item_inspectorate(item, user, today):
    """What the item page shows of the inspectorate's view beyond its history: the latest
    status, a mismatch flag, whether the person may record one (None: nothing more)."""
    return None
