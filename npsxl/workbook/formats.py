"""Cell formats from the model's brand, for both workbooks: the pieces every branded format
is made from (:class:`BrandFormats`: the brand's font, its colour pairs, the one colour for
text on white, the borders), and the self-assessment workbook's own :class:`Formats`. The
coordinator's summary workbook builds its formats on the same pieces
(:class:`npsxl.report.summary_formats.SummaryFormats`).

Every text colour is legible on what it stands on: a brand pair's text on its own background
(the model checks each pair reaches 4.5:1), black on white or light grey,
:func:`colour_on_white` on white, or black on :func:`under_black_text`.
"""

from __future__ import annotations

from npsxl.model.model import MIN_CONTRAST, Brand, Model, contrast_ratio
from npsxl.workbook.textfit import FONT_SIZE

WHITE = "#FFFFFF"
BORDER = {"border": 1, "border_color": "#808080"}  # grey cell borders
HEADER_BORDER = {"border": 1, "border_color": WHITE}  # white lines between header cells
# Cells to fill in have a dashed dark border, read-only cells a thin grey one: told apart
# without their colours (the instructions name them by their border)
INPUT_BORDER = {"border": 8, "border_color": "#404040"}
# The chosen levels, marked besides their fills: the current one in a solid black frame, the
# target in italics in a dotted frame, a level that is both in italics in a double frame.
# Styles that keep the text's width (Arial's italics are as wide as its upright letters,
# bold is not), so a descriptor still fits its row when it is chosen; no underline, which
# would look like a link.
CURRENT_MARK = {"border": 2, "border_color": "#000000"}
TARGET_MARK = {"italic": True, "border": 4, "border_color": "#000000"}
BOTH_MARK = {"italic": True, "border": 6, "border_color": "#000000"}


def colour_on_white(brand: Brand) -> str:
    """The brand's colour for text on white (titles, links): the first of the header
    background, the header text and the theme text that reaches 4.5:1 on white, else black.

    A brand pair only promises its text is legible on its own background: a gold header
    with black text gives a gold (1.6:1) title on white, so black it is.
    """
    colours = brand.colours
    candidates = (colours["header"].background, colours["header"].text, colours["theme"].text)
    return next((c for c in candidates if contrast_ratio(c, WHITE) >= MIN_CONTRAST), "#000000")


def blend(colour: str, share: float) -> str:
    """``colour`` mixed with white: share 1 is the colour itself, 0 is white."""
    channels = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    mixed = [round(255 - (255 - c) * share) for c in channels]
    return "#" + "".join(f"{c:02X}" for c in mixed)


def under_black_text(colour: str) -> str:
    """``colour``, mixed with white as little as it takes for black text on it to reach
    4.5:1 (numbers that stand in their cells' black on a colour scale of brand fills)."""
    share = 1.0
    while contrast_ratio("#000000", blend(colour, share)) < MIN_CONTRAST:
        share -= 0.05
    return blend(colour, share)


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # what makes typed text a formula (OWASP)


def looks_like_formula(text: str) -> bool:
    """Whether a spreadsheet would take ``text``, typed into a cell, for a formula: text
    from councils that does is written with the quote prefix (:meth:`BrandFormats.quoted`)."""
    return text.startswith(FORMULA_STARTS)


class BrandFormats:
    """What every branded cell format of a workbook is made from: :meth:`fmt` adds a format
    in the brand's font, :meth:`pair` gives a brand colour pair's fill and text colour, and
    :attr:`dark` is :func:`colour_on_white`."""

    def __init__(self, wb, brand: Brand, font_size: float = FONT_SIZE):
        self._wb = wb
        self._base = {"font_name": brand.font, "font_size": font_size, "valign": "top"}
        self.colours = brand.colours
        self.dark = colour_on_white(brand)
        self._props: dict[int, dict] = {}  # id(format) -> what it was made of
        self._quoted: dict[int, object] = {}  # id(format) -> its quote-prefix twin

    def fmt(self, **props):
        """A new format: the brand's font, top-aligned, with ``props`` on top."""
        made = self._wb.add_format({**self._base, **props})
        self._props[id(made)] = props
        return made

    def quoted(self, fmt=None):
        """``fmt`` (a format of :meth:`fmt`; None: the base) with the cell style's quote
        prefix, made once: text in it is never taken for a formula, not even when the cell
        is edited, and shows no apostrophe (see :func:`looks_like_formula`)."""
        twin = self._quoted.get(id(fmt))
        if twin is None:
            props = {} if fmt is None else self._props.get(id(fmt))
            if props is None:
                raise ValueError("the format was not made by this workbook's formats")
            twin = self._quoted[id(fmt)] = self._wb.add_format(
                {**self._base, **props, "quote_prefix": True}
            )
        return twin

    def conditional(self, **props):
        """A format for conditional formatting: only what it changes, nothing of the base."""
        return self._wb.add_format(props)

    def pair(self, role: str) -> dict[str, str]:
        """The fill and text colour of the brand's colour pair for ``role``."""
        colour = self.colours[role]
        return {"bg_color": colour.background, "font_color": colour.text}


class Formats(BrandFormats):
    """The self-assessment workbook's cell formats, built once per workbook from the brand."""

    def __init__(self, wb, model: Model):
        super().__init__(wb, model.brand)
        fmt, pair, dark, border = self.fmt, self.pair, self.dark, BORDER
        self.brand_bar = fmt(bold=True, font_size=12, valign="vcenter", **pair("header"))
        self.title = fmt(bold=True, font_size=16, font_color=dark)
        self.title_wrap = fmt(bold=True, font_size=16, font_color=dark, text_wrap=True)
        self.subtitle = fmt(bold=True, font_size=12)
        self.text = fmt(text_wrap=True)
        self.line = fmt()  # one line that may run on into the empty cells to its right
        self.line_bold = fmt(bold=True)
        self.round = fmt(bold=True, font_size=11, valign="vcenter")
        self.label = fmt(bold=True, text_wrap=True)
        self.help = fmt(text_wrap=True, font_size=9, **pair("muted"))
        self.note = fmt(text_wrap=True, font_size=9, italic=True, **pair("muted"))
        self.small_print = fmt(text_wrap=True, font_size=8, **pair("muted"))
        self.heading = fmt(bold=True, font_size=11, valign="vcenter", **pair("theme"))
        self.header = fmt(
            bold=True, text_wrap=True, valign="vcenter", **pair("header"), **HEADER_BORDER
        )
        self.cell = fmt(text_wrap=True, **border)
        self.cell_bold = fmt(text_wrap=True, bold=True, **border)
        self.link = fmt(text_wrap=True, bold=True, underline=1, font_color=dark, **border)
        self.link_plain = fmt(underline=1, font_color=dark)
        self.item_title = fmt(bold=True, font_size=12, font_color=dark)
        self.locked_value = fmt(text_wrap=True, bold=True, bg_color="#F2F2F2", **border)
        given = INPUT_BORDER
        self.input = fmt(text_wrap=True, locked=False, **pair("input"), **given)
        self.input_level = fmt(locked=False, bold=True, **pair("input"), **given)
        self.input_date = fmt(
            locked=False, num_format="dd/mm/yyyy", align="left", **pair("input"), **given
        )
        self.number = fmt(num_format="0", align="center", **border)
        self.decimal = fmt(num_format="0.0", align="center", **border)
        self.signed = fmt(num_format="+0;-0;0", align="center", **border)
        self.decimal_bold = fmt(num_format="0.0", align="center", bold=True, **border)
        self.signed_decimal = fmt(num_format="+0.0;-0.0;0.0", align="center", **border)
        self.signed_decimal_bold = fmt(
            num_format="+0.0;-0.0;0.0", align="center", bold=True, **border
        )
        self.status = fmt(bold=True, font_size=12, **pair("theme"))
        self.legend_current = fmt(text_wrap=True, **pair("chosen"), **CURRENT_MARK)
        self.legend_target = fmt(text_wrap=True, **pair("target"), **TARGET_MARK)
        self.legend_both = fmt(text_wrap=True, **pair("chosen"), **BOTH_MARK)
        self.legend_warning = fmt(text_wrap=True, **pair("warning"), **border)
        self.legend_input = fmt(text_wrap=True, **pair("input"), **INPUT_BORDER)
        self.legend_plain = fmt(text_wrap=True, **border)
        self.previous = fmt(italic=True, text_wrap=True, align="center", **pair("muted"), **border)
        self.previous_header = fmt(
            bold=True, italic=True, text_wrap=True, valign="vcenter", **pair("muted"), **border
        )
        self.previous_note = fmt(
            bold=True, italic=True, align="center_across", valign="bottom", **pair("muted")
        )
        self.cf_both = self.conditional(**pair("chosen"), **BOTH_MARK)
        self.cf_current = self.conditional(**pair("chosen"), **CURRENT_MARK)
        self.cf_target = self.conditional(**pair("target"), **TARGET_MARK)
        self.cf_warning = self.conditional(**pair("warning"))
        self.cf_done = self.conditional(**pair("chosen"))
