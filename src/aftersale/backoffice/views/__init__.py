"""The merchant's back-office pages, one module per area."""
