"""The operations: plain async functions that take the caller, decide, and call storage."""
