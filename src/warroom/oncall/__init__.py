"""On-call schedules: who is on call when, from the playbook's rotations, layers and overrides."""
