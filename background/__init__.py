"""Long-running work, outside any request: the Copernicus worker, the housekeeping sweeps and the
subscription hub. Started by the API's lifespan or by ``strata worker``; resolves nothing."""
