"""TaskFlow core: models, schemas, services; no web, no terminal."""
