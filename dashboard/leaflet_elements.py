"""Two small folium elements that hand data to the map helpers in ``static/kz_map.js``.

Record text reaches the map only as JSON string data (see :func:`script_json`); the helpers then
insert it with ``textContent``, so it can never become markup or script. ``compile_templates_once``
spares Jinja recompiling branca's templates on every step.
"""

from __future__ import annotations

import functools
import re
from typing import Any

import folium
import jinja2
from branca.element import MacroElement
from jinja2 import Template
from jinja2.utils import htmlsafe_json_dumps

# A brace that would open a Jinja tag: "{{", "{%" or "{#".
_JINJA_OPENING = re.compile(r"\{(?=[{%#])")


def script_json(value: Any) -> str:
    r"""JSON that is safe inside a ``<script>`` and inside a Jinja template.

    Jinja's ``htmlsafe_json_dumps`` escapes ``<``, ``>``, ``&`` and ``'``. Branca then compiles every
    element's rendered script *again* as a Jinja template, so "{{ … }}" in record text would be run on
    the server: a brace that opens a Jinja tag is written as the equivalent JSON escape ``\u007b``.
    Structural JSON braces are never followed by ``{``, ``%`` or ``#``, so only string contents change.

    Examples
    --------
    >>> script_json({"name": "{{ 7*7 }} </script>"})
    '{"name":"\\u007b{ 7*7 }} \\u003c/script\\u003e"}'
    """
    return _JINJA_OPENING.sub(r"\\u007b", str(htmlsafe_json_dumps(value, separators=(",", ":"))))


class FetchedGeoJson(folium.map.Layer):
    """A polygon layer that the browser fetches once from a local URL (listed in the layer control)."""

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "var {{ this.get_name() }} = KZ.fetchedGeoJson({{ this._parent.get_name() }}, {{ this.spec_json }});"
        "{% endmacro %}"
    )

    def __init__(self, *, name: str, spec: dict[str, Any], show: bool = True) -> None:
        super().__init__(name=name, overlay=True, control=True, show=show)
        self._name = "FetchedGeoJson"
        self.spec = spec
        self.spec_json = script_json(spec)


class HelperCall(MacroElement):
    """``KZ.<function>(parent, data)``: draw or style something from plain data."""

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "KZ.{{ this.function }}({{ this._parent.get_name() }}, {{ this.data_json }});"
        "{% endmacro %}"
    )

    def __init__(self, function: str, data: Any) -> None:
        super().__init__()  # type: ignore[no-untyped-call]  # branca is untyped
        self._name = "HelperCall"
        self.function = function
        self.data = data
        self.data_json = script_json(data)


def stable_ids(element: Any) -> None:
    """Number ``element``'s whole figure (the root and every descendant) in order, instead of at random.

    branca names each element after a random id, and compiles each element's rendered output again
    as a Jinja template: a fresh base map every step meant a dozen new templates to compile (about
    5 ms). With the same names every step, the base map renders to the same text, whose compiled
    templates :func:`compile_templates_once` keeps. One map per page, so the names cannot clash.
    """
    root = element.get_root()
    for number, node in enumerate(_walk(root)):
        node._id = f"{number:032x}"


def _walk(element: Any) -> Any:
    yield element
    for child in getattr(element, "_children", {}).values():
        yield from _walk(child)


def compile_templates_once() -> None:
    """Let Jinja compile each template source once per process, not on every slider step.

    branca builds a new ``Template`` from the same few source strings for every element it creates
    (streamlit-folium makes a fresh figure per feature group, each step), and Jinja compiles each
    one anew: measured at about 55 compilations and 20 ms of a 25 ms map step. Compiled templates
    hold no per-render state, so one per (environment, source) serves every render. Idempotent.
    """
    if getattr(jinja2.Environment.from_string, "_kz_cached", False):
        return
    original = jinja2.Environment.from_string

    @functools.lru_cache(maxsize=256)
    def compiled(env: jinja2.Environment, source: str, template_class: Any) -> Any:
        return original(env, source, template_class=template_class)

    def from_string(
        self: jinja2.Environment,
        source: Any,
        globals: Any = None,
        template_class: Any = None,
    ) -> Any:
        if globals is None and isinstance(source, str):
            return compiled(self, source, template_class)
        return original(self, source, globals, template_class)

    from_string._kz_cached = True  # type: ignore[attr-defined]
    jinja2.Environment.from_string = from_string  # type: ignore[method-assign]
