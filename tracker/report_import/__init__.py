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

Issue 17: targets.py says which report an import is (duplicate_of) or, for a register entry or
a progress report, which report it is about (the person chooses among `report_choices`);
matching.py pairs a later document's findings with the report's (by text, then reference,
then, for a document about the report, a close text); item_history.py puts what such a
document says onto the items (the inspectorate's dated statuses, labelled progress updates).

Import from the module that defines a name; this module holds only this description.
"""
