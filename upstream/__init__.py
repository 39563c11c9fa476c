"""Clients of the services Strata asks for data: the Copernicus stores (CADS, CLMS) and Galileo HAS
(NTRIP), behind one provider interface. They speak HTTP to the outside; they know nothing of the
database, the object store or GraphQL."""
