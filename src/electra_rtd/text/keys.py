"""What two messages must share to be exact or structural duplicates.

The exact key is the normalised message (Unicode, boilerplate, spacing, obfuscated spellings and
letter case undone), so "b.t.c" and "BTC" agree. The template masks the variable data in that key
(`mask_pii`), so copies of one template that differ only in phone numbers, links, amounts or codes
agree too.

`electra_rtd.data.splits.template_key` groups the same way but casefolds before normalising,
which defeats the repair of capital look-alikes ("C0lN" stays "coln" instead of "coin"); here
lower-casing is the last normalisation step.
"""

from __future__ import annotations

from electra_rtd.text.normalise import NormaliseConfig, normalise
from electra_rtd.text.privacy import mask_pii

# Lower-casing outside links: "BTC" and "btc" are one message.
EXACT_KEY_CONFIG = NormaliseConfig(lowercase=True)


def exact_key(text: str, config: NormaliseConfig = EXACT_KEY_CONFIG) -> str:
    """The normalised message: equal for copies that differ only in form."""
    return normalise(text, config).text


def message_template(key: str) -> str:
    """The exact key with every slot replaced by its placeholder (`<PHONE>`, `<URL>`, ...)."""
    return mask_pii(key).text
