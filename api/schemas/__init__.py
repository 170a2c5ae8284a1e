"""Request and response bodies of the API, one module per resource.

Request bodies refuse unknown fields (422) and normalise text to Unicode NFC; response
bodies are what the OpenAPI document promises, field for field.
"""
