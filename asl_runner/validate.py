"""Static checks of a definition, with JSON-pointer locations (the code is in ``validation/``)."""

from .validation import validate_definition

__all__ = ["validate_definition"]
