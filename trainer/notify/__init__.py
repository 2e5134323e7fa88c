"""E-mail: messages composed in each person's language, queued in a durable outbox, sent by
`flask notify run` over SMTP (or kept for admins to read when no SMTP server is configured)."""
