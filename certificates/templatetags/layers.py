"""The two layers of a certificate's front (certificates/pdf.py): what every certificate of a
session prints alike, laid out once, and what is the holder's own, laid out for each.

A design marks its front with three tags (the default design, certificates/pdf/default.html,
shows them):

- `{% fixed %}…{% endfixed %}`: printed alike on every certificate of the session (the wording,
  the scheme, the LSP, the dates): in the base layer, left out of the holder's.
- `{% holder %}…{% endholder %}`: the holder's own (the name, the number, the QR code): in the
  holder's layer, left out of the base. What sits in the page's flow goes in a slot (below); what
  the design positions itself (`position: absolute`) lands where the base's would.
- `<div class="…"{% slot "name" %}>`: a place in the flow kept for the holder's own: in the base,
  an empty box (its height set by the stylesheet, so that nothing moves for a longer name); in the
  holder's layer, the same box put where the base laid it out (`slots`, found by the batch).

The `part` the template renders decides: "base", "overlay" (the holder's layer), "untagged"
(neither: what a design prints outside the tags, which must be nothing for the layers to be used)
or, for a whole front in one layout, anything else (both, and the slots in the flow).
"""

from django import template
from django.utils.html import format_html

register = template.Library()

BASE, OVERLAY, UNTAGGED = "base", "overlay", "untagged"
HOLDER_LEFT_OUT = "<!--holder-->"  # in the base: the design is in layers


class _LayerNode(template.Node):
    def __init__(self, nodelist, left_out_of: str):
        self.nodelist = nodelist
        self.left_out_of = left_out_of

    def render(self, context):
        if context.get("part") in (self.left_out_of, UNTAGGED):
            return HOLDER_LEFT_OUT if self.left_out_of == BASE else ""
        return self.nodelist.render(context)


@register.tag
def fixed(parser, token):
    nodelist = parser.parse(("endfixed",))
    parser.delete_first_token()
    return _LayerNode(nodelist, left_out_of=OVERLAY)


@register.tag
def holder(parser, token):
    nodelist = parser.parse(("endholder",))
    parser.delete_first_token()
    return _LayerNode(nodelist, left_out_of=BASE)


@register.simple_tag(takes_context=True)
def slot(context, name: str):
    """The slot's attribute: its name in the base, its place in the holder's layer."""
    part = context.get("part")
    if part in (BASE, UNTAGGED):
        return format_html(' data-slot="{}"', name)
    if part == OVERLAY:
        place = (context.get("slots") or {}).get(name)
        if place is None:
            raise template.TemplateSyntaxError(f"No slot {name!r} in the base layer")
        return format_html(' style="{}"', place)
    return ""
