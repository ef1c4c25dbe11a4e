"""RQ wiring (connection, queues, the job decorator) and the job functions, which take ids only."""
