"""Import a report from its published document: upload, read in the background, check and
correct, then create the report, its judgements, findings and tracked items in one step.

1. `import_start` stores the upload under REPORT_IMPORT_ROOT (outside the static files) with
   a random name and queues `import_read` after the transaction commits (reading.py).
2. `import_read` (a Celery task's body) claims the import with a conditional UPDATE, reads the
   file (tracker.extraction), records its progress, keeps the text and what was found, and
   deletes the file. A file that cannot be read is marked failed with a plain message.
3. The person corrects the draft (draft.py, `draft_apply`: kinds, texts, areas, merges and
   splits, the forces it applies to) and then either creates the report (create.py,
   `import_create`) or, when the report is already in the tracker, adds what is new to it
   (`import_update`).

Every write is one transaction, audited; nothing is half-saved.

Import from the module that defines a name; this module holds only this description.
"""
