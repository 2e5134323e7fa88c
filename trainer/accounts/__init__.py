"""Accounts: people, roles, nested teams, sign-in with throttling, passwords, the audit trail,
who may see whom (the team tree) and the demo organisation."""
