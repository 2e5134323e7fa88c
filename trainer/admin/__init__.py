"""Admin pages: users, teams, CSV import and the audit log."""
