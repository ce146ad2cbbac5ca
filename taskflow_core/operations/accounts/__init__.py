"""Accounts: callers, sessions and tokens (auth), user management, demo seeding."""
