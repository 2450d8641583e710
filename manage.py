#!/usr/bin/env python
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line

    from tracker import audit_context

    # Changes made by a command are marked as such in the audit trail (web requests and
    # tasks mark their own).
    with audit_context.using(source="command", path=" ".join(sys.argv[1:3])[:300]):
        execute_from_command_line(sys.argv)
