"""The evaluation report for admins and the funding body: aggregates with small-cell suppression, charts, downloads."""
