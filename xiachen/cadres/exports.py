"""Excel export (being written)."""


def export_cadres(*, by, cadres, full):
    raise NotImplementedError


def export_households(*, by, households, full):
    raise NotImplementedError
