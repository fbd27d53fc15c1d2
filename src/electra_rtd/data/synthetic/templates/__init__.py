"""All templates by kind. Template ids are `<kind>/<index>` in the order written here."""

from __future__ import annotations

from electra_rtd.data.synthetic.templates import ads, chat, notices, smishing, spam

TEMPLATES: dict[str, tuple[str, ...]] = {
    **notices.TEMPLATES,
    **ads.TEMPLATES,
    **spam.TEMPLATES,
    **smishing.TEMPLATES,
    **chat.TEMPLATES,
}


def template_id(kind: str, index: int) -> str:
    """The stable id of the `index`-th template of `kind`."""
    return f"{kind}/{index:02d}"
