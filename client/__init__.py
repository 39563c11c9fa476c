"""A Python client for Strata: GraphQL calls and parallel, resumable, verified transfers."""
