"""Action items from post-mortems: owner, due date, status and kind, reminded when overdue."""
