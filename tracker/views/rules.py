"""The Deadline rules page (/rules/): every rule in plain English, for everyone signed in.

Each rule with its legal basis (linked to legislation.gov.uk and quoted), how it counts, the
dates it applies between, its reminders and escalation, what may extend or pause it, a
worked example for a trigger today, and its history of edits by administrators. Every
deadline shown in the app links here (`/rules/#<key>`)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from tracker import rule_book
from tracker.models import DeadlineSubject
from tracker.reminders import plan
from tracker.views import common


@login_required
@require_http_methods(["GET", "HEAD"])
def rule_list(request) -> HttpResponse:
    """Every rule explained, with a worked example computed for today."""
    today = common.today()
    rules = rule_book.rules_in_order()
    histories = rule_book.rule_histories(rules)
    rows = [
        {
            "rule": rule,
            "counts": plan.describe_rule(rule),
            "counting": plan.describe_counting(rule),
            "effective": plan.describe_effective(rule),
            "reminders": plan.describe_rule_reminders(
                rule, on_item=rule.subject == DeadlineSubject.ITEM
            ),
            "extensions": plan.describe_extensions(rule),
            "example": plan.worked_example(rule, today),
            "history": histories.get(rule.pk, []),
        }
        for rule in rules
    ]
    return render(request, "tracker/rules.html", {"rows": rows, "today": today})
