"""The GraphQL surface of Strata: app factory, settings, auth, context, types and schema."""
