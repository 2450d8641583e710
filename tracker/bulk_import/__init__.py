"""Bulk import of findings and items from a spreadsheet (CSV or Excel), in the columns the
item export writes, so an export imports back unchanged (docs/bulk-import.md).

1. `table` reads the file into rows and matches the columns by name (no database).
2. `plan` works out what importing the rows would do, and every problem (the preview).
3. `apply` makes the changes, everything or nothing, through the item services.

Import from the module that defines a name; this module holds only this description.
"""
