"""Map renderers' shared building blocks: base map, incident layers, legend, style."""
