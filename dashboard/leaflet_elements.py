"""Two small folium elements that hand data to the map helpers in ``static/kz_map.js``.

Data goes through Jinja's ``tojson`` filter, which escapes ``<``, ``>``, ``&`` and quotes, so record
text can never close the script or run; the helpers then insert it with ``textContent``.
"""

from __future__ import annotations

from typing import Any

import folium
from branca.element import MacroElement
from jinja2 import Template


class FetchedGeoJson(folium.map.Layer):
    """A polygon layer that the browser fetches once from a local URL (listed in the layer control)."""

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "var {{ this.get_name() }} = KZ.fetchedGeoJson({{ this._parent.get_name() }}, {{ this.spec|tojson }});"
        "{% endmacro %}"
    )

    def __init__(self, *, name: str, spec: dict[str, Any], show: bool = True) -> None:
        super().__init__(name=name, overlay=True, control=True, show=show)
        self._name = "FetchedGeoJson"
        self.spec = spec


class HelperCall(MacroElement):
    """``KZ.<function>(parent, data)``: draw or style something from plain data."""

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "KZ.{{ this.function }}({{ this._parent.get_name() }}, {{ this.data|tojson }});"
        "{% endmacro %}"
    )

    def __init__(self, function: str, data: Any) -> None:
        super().__init__()
        self._name = "HelperCall"
        self.function = function
        self.data = data
