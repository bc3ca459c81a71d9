"""The JSON API (/api/v1): the catalogue, a learner's enrolments and certificates, verification, and for managers
their organisation's members and certificates. Personal access tokens authenticate; the OpenAPI 3.1 document is
served at /api/v1/openapi.json."""
