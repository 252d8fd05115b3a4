"""Excel importer (being written)."""

CADRE_IMPORTER = HOUSEHOLD_IMPORTER = UNIT_IMPORTER = None
