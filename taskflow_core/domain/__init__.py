"""The domain: what users, sessions, tasks and notifications are, and the errors of their rules.

Nothing here knows about a database driver, Redis, the web or the terminal.
"""
