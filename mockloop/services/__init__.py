"""Use cases over the database. They flush; the caller (a view, a CLI command, a job) commits."""
