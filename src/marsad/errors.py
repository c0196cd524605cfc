"""One exception hierarchy with stable codes.

::

    MarsadError (M000)
     ├── InputError (M100)             a document cannot be read or used
     │    ├── EmptyDocumentError (M101)
     │    ├── BinaryInputError (M102)
     │    ├── EncodingError (M103)
     │    ├── DocumentTooLargeError (M104)
     │    ├── BadRecordError (M105)    a JSONL line that is not a JSON object with usable fields
     │    └── NotArabicError (M106)
     ├── LexiconError (M200)           a lexicon file is malformed: names the file and line
     ├── GazetteerError (M300)         the gazetteer is missing, corrupt or cannot be built
     ├── StoreError (M400)             the database cannot be opened, migrated or written
     └── ConfigError (M500)            a setting or option has an impossible value

Every error carries ``code`` and a one-line ``str()`` meant for a person; the CLI prints that line
(never a traceback) and exits non-zero.
"""

from __future__ import annotations

import re

_CODE = re.compile(r" \[M\d{3}\]")


class MarsadError(Exception):
    code = "M000"

    def __str__(self) -> str:
        # an error that quotes another ("changes: country: unknown 'ZZ' [M500]") keeps one code: its own
        return f"{_CODE.sub('', super().__str__())} [{self.code}]"


class InputError(MarsadError):
    code = "M100"


class EmptyDocumentError(InputError):
    code = "M101"


class BinaryInputError(InputError):
    code = "M102"


class EncodingError(InputError):
    code = "M103"


class DocumentTooLargeError(InputError):
    code = "M104"


class BadRecordError(InputError):
    code = "M105"


class NotArabicError(InputError):
    code = "M106"


class LexiconError(MarsadError):
    """A lexicon file is malformed. ``str()`` reads ``path:line: message``."""

    code = "M200"

    def __init__(self, path: str, line: int, message: str) -> None:
        super().__init__(f"{path}:{line}: {message}")
        self.path = path
        self.line = line


class GazetteerError(MarsadError):
    code = "M300"


class StoreError(MarsadError):
    code = "M400"


class ConfigError(MarsadError):
    code = "M500"
