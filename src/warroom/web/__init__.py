"""Server-rendered pages (Jinja2, autoescaped): the public status page."""
