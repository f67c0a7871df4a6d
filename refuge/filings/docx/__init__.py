"""DOCX output: the filing's HTML, read back into paragraphs and written through a docxtpl template.

The template is built in memory with python-docx (`template_bytes`) rather than kept as a binary
file: it only lays out blocks (headings, paragraphs, bold runs), while the words of each filing
live in one place, the HTML templates in refuge/templates/filings/documents/. The PDF and the DOCX
of a filing therefore always say the same thing.
"""

from __future__ import annotations

import functools
import io
from dataclasses import dataclass, field
from html.parser import HTMLParser

BLOCK_TAGS = {"h1", "h2", "p", "li"}
BODY_FONT = "DejaVu Serif"
EAST_ASIAN_FONT = "Noto Sans CJK KR"


@dataclass
class Block:
    style: str  # h1, h2, p
    runs: list[tuple[str, bool]] = field(default_factory=list)  # (text, bold)


class _Blocks(HTMLParser):
    """Headings, paragraphs and list items of the body; <strong> and class="cover" are bold."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self.current: Block | None = None
        self.bold = 0
        self.block_bold = False
        self.lists: list[list[int | None]] = []  # a counter per open list (None: bullets)
        self.in_body = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "body":
            self.in_body = True
        elif tag in ("ol", "ul"):
            self.lists.append([0 if tag == "ol" else None])
        elif tag in BLOCK_TAGS and self.in_body:
            classes = (dict(attrs).get("class") or "").split()
            self.current = Block(style=tag if tag in ("h1", "h2") else "p")
            self.block_bold = "cover" in classes
            if tag == "li" and self.lists:
                counter = self.lists[-1]
                if counter[0] is None:
                    prefix = "• "
                else:
                    counter[0] += 1
                    prefix = f"{counter[0]}. "
                self.current.runs.append((prefix, False))
        elif tag in ("strong", "b"):
            self.bold += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("ol", "ul") and self.lists:
            self.lists.pop()
        elif tag in BLOCK_TAGS and self.current is not None:
            if any(text.strip() for text, _ in self.current.runs):
                self.blocks.append(self.current)
            self.current = None
        elif tag in ("strong", "b"):
            self.bold = max(0, self.bold - 1)

    def handle_data(self, data: str) -> None:
        if self.current is None:
            return
        text = " ".join(data.split())
        if data[:1].isspace() and self.current.runs:
            text = " " + text
        if data[-1:].isspace() and text.strip():
            text += " "
        if text:
            self.current.runs.append((text, self.block_bold or self.bold > 0))


def html_blocks(html: str) -> list[Block]:
    parser = _Blocks()
    parser.feed(html)
    parser.close()
    return parser.blocks


@functools.cache
def template_bytes() -> bytes:
    """A docxtpl template that writes `blocks` as Heading 1, Heading 2 or Normal paragraphs."""
    import docx  # noqa: PLC0415  # python-docx, only when a DOCX is made
    from docx.oxml.ns import qn  # noqa: PLC0415  # see above

    document = docx.Document()
    normal = document.styles["Normal"]
    normal.font.name = BODY_FONT
    fonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), EAST_ASIAN_FONT)
    for line, style in (
        ("{%p for b in blocks %}", None),
        ("{%p if b.style == 'h1' %}", None),
        ("{{r b.rich }}", "Heading 1"),
        ("{%p elif b.style == 'h2' %}", None),
        ("{{r b.rich }}", "Heading 2"),
        ("{%p else %}", None),
        ("{{r b.rich }}", None),
        ("{%p endif %}", None),
        ("{%p endfor %}", None),
    ):
        document.add_paragraph(line, style=style)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def html_to_docx(html: str, *, title: str) -> bytes:
    from docxtpl import DocxTemplate, RichText  # noqa: PLC0415  # only when a DOCX is made

    template = DocxTemplate(io.BytesIO(template_bytes()))
    blocks = []
    for block in html_blocks(html):
        rich = RichText()
        for text, bold in block.runs:
            rich.add(text, bold=bold)
        blocks.append({"style": block.style, "rich": rich})
    template.render({"blocks": blocks}, autoescape=True)
    template.docx.core_properties.title = title
    template.docx.core_properties.author = ""
    out = io.BytesIO()
    template.save(out)
    return out.getvalue()
