"""Post-mortems: owed for P0/P1 within the playbook's deadline, drafted from the timeline."""
