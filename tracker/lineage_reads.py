"""Lineage reads (issue 18): an item's chain of earlier findings, its suggestions, a report's
count of findings raised before. Scoped to what the person may see first."""


def item_lineage(item, user, today):
    """What the item page shows of the item's lineage (None: nothing to show)."""
    return None
