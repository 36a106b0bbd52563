"""No acknowledged answer lost: crashes, locked and stopped databases, headers on every
response. ``SURVEYAPP_LOAD=long`` runs the load tests at full size (README "Load tests")."""
