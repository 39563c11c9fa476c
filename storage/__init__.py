"""Adapters to the outside world: MongoDB documents and queries, the S3 blob store."""
