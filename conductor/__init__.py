"""The conductor: sole owner of the database, and orchestrator of builds."""
