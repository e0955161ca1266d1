"""Zoom's HTTP layer, at the bottom of the project so every app may use it (DESIGN.md section 3).

- ``http``: the one session factory (timeout, User-Agent) and ``Retry-After`` parsing, shared by the
  OAuth handshake (``integrations.oauth``) and the REST client.
- ``errors``: one root, ``ZoomError``, carrying ``retryable``, ``retry_after`` and ``outcome_unknown``;
  the REST, OAuth and token errors sit under it, so a caller catches one class and asks it what to do.
- ``client``: one function per REST endpoint, typed requests (``TypedDict`` bodies) and typed responses
  (frozen dataclasses parsed at the boundary).

It imports nothing of ours but settings.
"""
