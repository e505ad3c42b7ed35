"""The summary workbook's colours and cell formats: the levels' fills from the brand, the heat
map's colour-blind-safe scale, and :class:`SummaryFormats`, every format its sheets use."""

from __future__ import annotations

from npsxl.model.model import MIN_CONTRAST, Model, contrast_ratio
from npsxl.reading.returns import Status
from npsxl.workbook.formats import BORDER, HEADER_BORDER, BrandFormats, blend

# A viridis-type scale, light to dark: each step clearly lighter than the next, in colour
# and in grey, for readers with any colour vision (a heat map takes evenly spaced steps).
HEAT_SCALE = (
    "#FDE725",
    "#B5DE2B",
    "#6ECE58",
    "#35B779",
    "#1F9E89",
    "#26828E",
    "#31688E",
    "#3E4989",
    "#482878",
    "#440154",
)


def level_palette(model: Model) -> list[str]:
    """One fill per level, light to dark, from the brand's header colour."""
    count = len(model.levels)
    base = model.brand.colours["header"].background
    return [blend(base, 0.14 + 0.86 * i / max(count - 1, 1)) for i in range(count)]


def heat_palette(count: int) -> list[str]:
    """``count`` evenly spaced steps of :data:`HEAT_SCALE`, light to dark."""
    last = len(HEAT_SCALE) - 1
    return [HEAT_SCALE[round(i * last / max(count - 1, 1))] for i in range(count)]


def text_on(fill: str) -> str:
    """Black or white, whichever reads on ``fill`` (black when both do)."""
    return "#000000" if contrast_ratio("#000000", fill) >= MIN_CONTRAST else "#FFFFFF"


class SummaryFormats(BrandFormats):
    """The summary workbook's cell formats, on the pieces the self-assessment workbook's are
    made of: every text/fill pair is a brand colour pair, titles are in the brand's colour
    for text on white."""

    def __init__(self, wb, model: Model):
        super().__init__(wb, model.brand, font_size=10)
        fmt, pair, dark, border = self.fmt, self.pair, self.dark, BORDER
        self.brand_bar = fmt(bold=True, font_size=12, valign="vcenter", **pair("header"))
        self.title = fmt(bold=True, font_size=16, font_color=dark)
        self.subtitle = fmt(bold=True, font_size=12, font_color=dark)
        self.line = fmt()
        self.note = fmt(text_wrap=True, **pair("muted"))
        self.text = fmt(text_wrap=True)
        self.label = fmt(bold=True, text_wrap=True)
        heading = {"bold": True, "text_wrap": True, "valign": "vcenter", **HEADER_BORDER}
        self.header = fmt(**heading, align="center", **pair("header"))
        self.header_left = fmt(**heading, **pair("header"))
        self.group_header = fmt(**heading, align="center", **pair("theme"))
        # narrow columns: their headers read upwards
        self.header_upright = fmt(**heading, align="center", rotation=90, **pair("header"))
        self.level_header = fmt(**heading, align="center", rotation=90, **pair("theme"))
        self.cell = fmt(text_wrap=True, **border)
        self.cell_bold = fmt(text_wrap=True, bold=True, **border)
        self.integer = fmt(num_format="0", align="center", **border)
        self.decimal = fmt(num_format="0.0", align="center", **border)
        self.signed = fmt(num_format="+0.0;-0.0;0.0", align="center", **border)
        self.total_text = fmt(bold=True, text_wrap=True, **pair("theme"), **border)
        self.total_integer = fmt(
            bold=True, num_format="0", align="center", **pair("theme"), **border
        )
        self.total_decimal = fmt(
            bold=True, num_format="0.0", align="center", **pair("theme"), **border
        )
        self.status = {
            Status.ACCEPTED: fmt(text_wrap=True, **pair("chosen"), **border),
            Status.ACCEPTED_WITH_WARNINGS: fmt(text_wrap=True, **pair("input"), **border),
            Status.REJECTED: fmt(text_wrap=True, bold=True, **pair("warning"), **border),
        }
        self.moved_up = self.conditional(**pair("chosen"))  # (movement)
        self.moved_down = self.conditional(**pair("warning"))
        # Data sheet formats: distinct from every other format, so each gets its own index
        self.data_text = fmt(text_wrap=True, align="left")
        self.data_integer = fmt(num_format="0", align="center")
        self.data_header = fmt(bold=True, text_wrap=True, valign="vcenter", **pair("header"))
        # the heat map's steps, one per level: number cells and the key's swatches
        self.heat = [
            fmt(num_format="0.0", align="center", bg_color=c, font_color=text_on(c), **border)
            for c in heat_palette(len(model.levels))
        ]
        self.heat_key = [
            fmt(text_wrap=True, bg_color=c, font_color=text_on(c), **border)
            for c in heat_palette(len(model.levels))
        ]
        # "no returns", and the all-councils row beside a group's figures
        self.no_returns = fmt(italic=True, align="center", **pair("muted"), **border)
        self.other_text = fmt(text_wrap=True, italic=True, **pair("muted"), **border)
        self.other_label = fmt(italic=True, indent=1, **pair("muted"), **border)
        self.other_decimal = fmt(num_format="0.0", align="center", **pair("muted"), **border)
        self.other_integer = fmt(num_format="0", align="center", **pair("muted"), **border)
        self.other_centre = fmt(text_wrap=True, align="center", **pair("muted"), **border)
        self.centre = fmt(text_wrap=True, align="center", **border)
        self.flagged = fmt(bold=True, align="center", **pair("warning"), **border)
        self.plain_integer = fmt(align="center", **border)
        # Within councils: an agreed level outside its views', marked by more than colour
        outside = {"italic": True, "underline": 2, "align": "center"}
        self.outside = fmt(**outside, **border)
        self.flagged_outside = fmt(bold=True, **outside, **pair("warning"), **border)

    def quoted_styles(self, formats) -> dict[int, int]:
        """The xf index of each of ``formats`` -> its :meth:`quoted` twin's, for rows
        spliced into a saved sheet."""
        return {f._get_xf_index(): self.quoted(f)._get_xf_index() for f in formats}
