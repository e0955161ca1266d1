"""Zoom meetings: what scheduling wants (the desired meeting) and the reconcile that makes Zoom match.

- ``desired``: the functions ``scheduling`` calls inside its own transaction (create, change, delete,
  retry), each queuing the reconcile on commit; and what follows the host's authorization.
- ``lease``: the worker's claim on a row, and the reconcile's named status changes.
- ``reconcile``: compare desired and actual, create / update / delete at Zoom, map failures to outcomes.
- ``bodies``: what we send Zoom, and what we make of its answer (the override warnings).
- ``sweep``: re-queue what a broker outage or a crash left behind.

Nothing is imported here, so ``zoom.tasks`` can import ``lease`` at its top while ``desired`` imports
the task (HackSoft's direction: services import tasks at the top, tasks import services in their body).
"""
