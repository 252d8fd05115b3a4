"""Static files for production: hashed names (far-future caching by nginx) without source-map rewriting."""

from django.contrib.staticfiles.storage import ManifestStaticFilesStorage


def _without_source_maps(patterns):
    return tuple(
        (extension, tuple(p for p in rules if "sourceMappingURL" not in (p if isinstance(p, str) else p[0])))
        for extension, rules in patterns
    )


class ManifestStorage(ManifestStaticFilesStorage):
    """The vendored minified libraries keep their `sourceMappingURL` comment but ship no .map file;
    Django's default would fail `collectstatic` on the missing map, so those comments are left as they are."""

    patterns = _without_source_maps(ManifestStaticFilesStorage.patterns)
