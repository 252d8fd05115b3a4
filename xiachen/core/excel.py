"""Safe reading and writing of Excel workbooks (placeholder: the full reader lands with the importers)."""


class ExcelRejected(ValueError):
    """The whole file is refused (wrong type, too large, zip bomb, unreadable); the message is Chinese."""
