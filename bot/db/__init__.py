"""The application's own database: service requests, renewal quotes, and the audit trail."""
