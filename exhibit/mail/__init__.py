"""Mail: the outbox (written in the caller's transaction), the message builder, the
transports (SMTP or ``.eml`` files) and the sending step the worker runs.

What a notice says and whom it goes to is decided above, by the domain packages
(``accounts/notices.py``, ``booking/notices.py``); this package only keeps and sends.
"""
