"""Export jobs: an export too large for a request, made by the worker, kept a day (issue 16)."""
