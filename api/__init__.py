"""The HTTP service of phancong (FastAPI): planners, delegates and communes."""
