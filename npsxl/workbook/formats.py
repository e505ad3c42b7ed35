"""The cell formats of a self-assessment workbook, from the model's brand: :class:`Formats`."""

from __future__ import annotations

from npsxl.model.model import Model, contrast_ratio
from npsxl.workbook.textfit import FONT_SIZE


class Formats:
    """The workbook's cell formats, built once per workbook from the brand."""

    def __init__(self, wb, model: Model):
        brand = model.brand
        colour = brand.colours
        base = {"font_name": brand.font, "font_size": FONT_SIZE, "valign": "top"}

        def fmt(**props):
            return wb.add_format({**base, **props})

        def pair(role):
            return {"bg_color": colour[role].background, "font_color": colour[role].text}

        # the brand's colour for titles and links on white: the first that is legible on white
        candidates = (colour["header"].background, colour["header"].text, colour["theme"].text)
        dark = next((c for c in candidates if contrast_ratio(c, "#FFFFFF") >= 4.5), "#000000")
        border = {"border": 1, "border_color": "#808080"}
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
            bold=True, text_wrap=True, valign="vcenter", **pair("header"),
            border=1, border_color="#FFFFFF",
        )  # fmt: skip
        self.cell = fmt(text_wrap=True, **border)
        self.cell_bold = fmt(text_wrap=True, bold=True, **border)
        self.link = fmt(text_wrap=True, bold=True, underline=1, font_color=dark, **border)
        self.link_plain = fmt(underline=1, font_color=dark)
        self.item_title = fmt(bold=True, font_size=12, font_color=dark)
        self.locked_value = fmt(text_wrap=True, bold=True, bg_color="#F2F2F2", **border)
        self.input = fmt(text_wrap=True, locked=False, **pair("input"), **border)
        self.input_level = fmt(locked=False, bold=True, **pair("input"), **border)
        self.input_date = fmt(
            locked=False, num_format="dd/mm/yyyy", align="left", **pair("input"), **border
        )
        self.number = fmt(num_format="0", align="center", **border)
        self.decimal = fmt(num_format="0.0", align="center", **border)
        self.signed = fmt(num_format="+0;-0;0", align="center", **border)
        self.decimal_bold = fmt(num_format="0.0", align="center", bold=True, **border)
        self.signed_decimal = fmt(num_format="+0.0;-0.0;0.0", align="center", **border)
        self.signed_decimal_bold = fmt(num_format="+0.0;-0.0;0.0", align="center", bold=True,
                                       **border)  # fmt: skip
        self.status = fmt(bold=True, font_size=12, **pair("theme"))
        self.legend_current = fmt(underline=1, text_wrap=True, **pair("chosen"), **border)
        self.legend_target = fmt(italic=True, text_wrap=True, **pair("target"), **border)
        self.legend_warning = fmt(text_wrap=True, **pair("warning"), **border)
        self.legend_input = fmt(text_wrap=True, **pair("input"), **border)
        # Chosen levels are marked by more than colour, in styles that keep the text's width
        self.previous = fmt(italic=True, text_wrap=True, align="center", **pair("muted"), **border)
        self.previous_header = fmt(
            bold=True, italic=True, text_wrap=True, valign="vcenter", **pair("muted"),
            border=1, border_color="#808080",
        )  # fmt: skip
        self.previous_note = fmt(bold=True, italic=True, align="center_across", valign="bottom",
                                 **pair("muted"))  # fmt: skip
        self.cf_current = wb.add_format({**pair("chosen"), "underline": 1})
        self.cf_target = wb.add_format({**pair("target"), "italic": True})
        self.cf_warning = wb.add_format(pair("warning"))
        self.cf_done = wb.add_format(pair("chosen"))
