"""The Admin "Settings" page: the Konnect connection and per-location credentials."""
