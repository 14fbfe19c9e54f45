"""Exchange knowledge: the port catalogues, the topology file and the required flows."""
