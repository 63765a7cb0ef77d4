"""The Job engine: every background operation is a stored Job run in small, resumable steps.

- `registry`: apps register a `JobKind` (label, permission, step function) in `AppConfig.ready`.
- `services`: create Jobs (with their items) and audit them; cancel; sweep due work.
- `runner`: lease a Job, run steps within a time budget, back off on transient failures.
"""
