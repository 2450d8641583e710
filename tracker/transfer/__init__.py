"""Export the whole tracker as one JSON document, and import such a document back.

The format is described in docs/export-format.md.

- `export`: writes the document.
- `kinds`: the kinds of row in it (model, natural key, fields), with `fields` (how each value
  is checked and read) and `checker` (the checks and what references may point at).
- `check`: checks a whole file first and lists every problem; nothing is saved.
- `load`: `import_tracker`, which checks a file and writes it in one transaction, row by row
  through `rows` (the one way each kind of row is created, updated or created once).

Import from the module that defines a name; this module holds only this description.
"""
