"""Accounts: users, sign-in, API tokens."""
