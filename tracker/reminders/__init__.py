"""Deadlines and reminders: keep them in step with items and responses, and send them.

The arithmetic (periods, working days, when a reminder is due) is in tracker/deadlines.py;
this package applies it to rows:

- `sync`: the deadlines each item and statutory response has under the active rules, moved
  when their inputs change and met when the work is done. Every service that changes a due
  date, an owner, a status or a publication date calls `deadlines_sync_item` or
  `deadlines_sync_response`.
- `changes`: extensions, pauses and resumes of a deadline, and a PCC office's local target.
- `plan`: the steps of a deadline's reminders and who each goes to (the escalation ladder);
  `reminders_plan` keeps the reminder rows in step with them. Also the rule in words.
- `mail`: what a reminder says, building emails (the headers of automated email, subjects
  under 78 characters led by the protective marking, the recipient's language) and their
  stable Message-IDs, mail server errors, and the claim on a row being sent (a conditional
  UPDATE, shared by reminders and digests). Delivery is at least once: a repeat is possible
  only when a worker dies between the mail server accepting a message and the row being
  marked, and carries the same Message-ID.
- `unsubscribe`: the kinds of email a one-click unsubscribe link can switch off (RFC 8058),
  their signed tokens, and the digests a person switched off.
- `notices`: things people are told at once.
- `digests`: daily and weekly digests and the managers' weekly overdue digest.
- `sweeps`: the sweep that sends what is due (rows found by range, so a missed sweep catches
  up), and its health.

Imports run one way: sweeps -> digests, notices -> mail -> unsubscribe; changes -> sync -> plan.
Import from the module that defines a name; this module holds only this description.
"""
