"""Invitations: each person of an interview gets its Zoom URL with a calendar event, again on every
change that concerns them, and nothing is lost on the way (issue 12, DESIGN.md section 3 "Invite").

- models.py     Invitation (the event's UID and SEQUENCE per interview), InvitationMessage (one row per
                interview, recipient and version, with its delivery), CandidateMessageTemplate
- services.py   invitations_sync, the one writer of message rows; resend; the template's save
- content.py    the facts of a version, what matters to a person, dates and times as they read them
- placeholders.py, texts.py, render.py, ics.py   the words, the calendar object, the e-mail
- delivery.py, tasks.py   the send task, its retries, the sweeper
- receivers.py  zoom's ``meeting_synced``, received inside the reconcile's transaction
- selectors.py, views.py, forms.py   the schedule page's sent list, 「再送」, 「招待文をコピー」, and
                the template's settings page in 全体設定
"""
