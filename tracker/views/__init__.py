"""Pages, one module per area: items, reports, deadlines, dashboards (with the overdue report
and the board pack), notifications, statutory responses, the PCC office's review of progress,
the public register, and importing (items from a spreadsheet in `imports`, a report from its
document in `report_imports`). `common` holds what they share.

Every view follows one recipe: sign-in required (except the public register), a
permission-scoped loader that answers 404 for what the person may not see, a permission check
in tracker.policy, a form to validate, a service to act, then a redirect. Views read through
tracker.selectors (which also apply the list filters) and write only through services.
"""
