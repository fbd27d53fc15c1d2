"""A deterministic synthetic corpus of Korean short messages with gold keyword spans.

The project's embedded default data: 20 kinds of messages (notices, ads, spam, smishing, chat)
from hand-written templates, varied slot values, carrier boilerplate, chat spelling and spam
obfuscation. Every message knows its kind, template and date, and where its keywords are.
"""

from electra_rtd.data.synthetic.generator import generate_messages
from electra_rtd.data.synthetic.jsonl import read_jsonl, write_jsonl
from electra_rtd.data.synthetic.kinds import KINDS
from electra_rtd.data.synthetic.records import KeywordSpan, SyntheticMessage

__all__ = [
    "KINDS",
    "KeywordSpan",
    "SyntheticMessage",
    "generate_messages",
    "read_jsonl",
    "write_jsonl",
]
