"""Drawing halls: SVG geometry helpers (pure), PDFs and routes."""
