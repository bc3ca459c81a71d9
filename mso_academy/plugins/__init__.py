"""The plugin system: hook specifications, the per-app manager and the public API for plugin authors."""
