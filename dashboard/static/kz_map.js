/*
 * Map helpers loaded once with Leaflet inside the streamlit-folium iframe.
 *
 * The Python side sends only data (JSON through Jinja's tojson filter); every string from the record
 * reaches the page through textContent, never as HTML, and only http(s) links become anchors.
 */
(function () {
  "use strict";
  var KZ = (window.KZ = window.KZ || {});
  var bases = (KZ.bases = KZ.bases || {});

  function el(tag, value, className) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (value !== undefined && value !== null) node.textContent = String(value);
    return node;
  }

  function safeUrl(url) {
    return typeof url === "string" && /^https?:\/\/[^\s<>"']+$/.test(url) ? url : null;
  }

  function hostOf(url) {
    var match = /^https?:\/\/(?:www\.)?([^/?#]+)/i.exec(url);
    return match ? match[1] : url;
  }

  /* A card: {title, lines: [text], note, sources: [url], confidence}. */
  function card(spec) {
    var root = el("div", null, "kz-card");
    root.appendChild(el("div", spec.title, "kz-title"));
    (spec.lines || []).forEach(function (line) {
      root.appendChild(el("div", line, "kz-line"));
    });
    if (spec.note) root.appendChild(el("div", spec.note, "kz-note"));
    // Sources arrive as numbers into the day's URL list (KZ.urls), each URL sent once a day.
    var links = (spec.sources || [])
      .map(function (source) {
        return safeUrl(typeof source === "number" ? (KZ.urls || [])[source] : source);
      })
      .filter(Boolean);
    if (links.length) {
      // One entry per site: its first link named by the site, further links of it numbered.
      var bySite = {};
      var sites = [];
      links.forEach(function (url) {
        var site = hostOf(url);
        if (!bySite[site]) {
          bySite[site] = [];
          sites.push(site);
        }
        if (bySite[site].indexOf(url) < 0) bySite[site].push(url);
      });
      var list = el("div", null, "kz-sources");
      list.appendChild(el("span", "Sources: "));
      sites.forEach(function (site, i) {
        if (i) list.appendChild(el("span", " · "));
        bySite[site].forEach(function (url, n) {
          if (n) list.appendChild(el("span", " "));
          var anchor = el("a", n ? "[" + (n + 1) + "]" : site);
          anchor.href = url;
          anchor.target = "_blank";
          anchor.rel = "noopener noreferrer";
          list.appendChild(anchor);
        });
      });
      root.appendChild(list);
    }
    if (spec.confidence) root.appendChild(el("div", "Confidence: " + spec.confidence, "kz-confidence"));
    return root;
  }
  KZ.card = card;
  // Wide enough to read a card's lines and its sources without breaking words.
  var POPUP = { minWidth: 240, maxWidth: 360 };

  /* A polygon layer whose data the browser fetches once, so it is never re-sent on a slider step. */
  KZ.fetchedGeoJson = function (map, spec) {
    // A pane of its own keeps the outlines in a fixed order under the day's markers and lines,
    // whichever file arrives first.
    if (!map.getPane(spec.pane)) map.createPane(spec.pane).style.zIndex = String(spec.zIndex);
    var layer = L.geoJSON(null, {
      pane: spec.pane,
      style: function () {
        return spec.style;
      },
      onEachFeature: function (feature, shape) {
        shape.bindTooltip(el("div", feature.properties[spec.label]), { sticky: true });
        shape.on({
          mouseover: function (event) {
            event.target.setStyle({ weight: 3 });
          },
          mouseout: function (event) {
            layer.resetStyle(event.target);
          },
        });
        if (layer.__decorate) layer.__decorate(feature, shape);
      },
      attribution: spec.attribution,
    }).addTo(map);
    layer.__idProperty = spec.id;
    layer.__neutral = layer.options.style;
    bases[spec.key] = layer;
    fetch(spec.url)
      .then(function (response) {
        return response.json();
      })
      .then(function (data) {
        layer.addData(data);
        map.fire("kz:basemap", { key: spec.key });
      });
    return layer;
  };

  /* Day styling of a fetched layer: fills, tooltips and popups by feature id; undone on removal. */
  function restyle(base, spec, on) {
    var idProperty = base.__idProperty;
    if (on) {
      base.options.style = function (feature) {
        var style = Object.assign({}, base.__neutral(feature));
        return Object.assign(style, spec.styles[feature.properties[idProperty]] || {});
      };
      base.__decorate = function (feature, shape) {
        var id = feature.properties[idProperty];
        var popup = spec.popups[id];
        // The tooltip is the popup's title and first lines.
        var tooltip = popup ? { title: popup.title, lines: popup.lines.slice(0, spec.tooltipLines) } : null;
        shape.unbindTooltip();
        shape.bindTooltip(card(tooltip || { title: feature.properties.name }), { sticky: true });
        shape.unbindPopup();
        if (popup) shape.bindPopup(card(popup), POPUP);
      };
    } else {
      base.options.style = base.__neutral;
      base.__decorate = function (feature, shape) {
        shape.unbindTooltip();
        shape.unbindPopup();
        shape.bindTooltip(el("div", feature.properties.name), { sticky: true });
      };
    }
    base.eachLayer(function (shape) {
      base.__decorate(shape.feature, shape);
    });
    base.resetStyle();
  }

  /* The legend folds away (a <details> element) so that it never has to hide the map. */
  function legend(spec) {
    var root = el("details", null, "kz-legend");
    // Open by default only where the map is wide enough to spare the room; the reader's own choice
    // (open or closed) then holds for every day.
    root.open = KZ.legendOpen === undefined ? KZ.mapWidth >= 1000 : KZ.legendOpen;
    root.addEventListener("toggle", function () {
      KZ.legendOpen = root.open;
    });
    root.setAttribute("data-day", spec.date);
    root.appendChild(el("summary", spec.title, "kz-title"));
    spec.sections.forEach(function (section) {
      root.appendChild(el("div", section.heading, "kz-heading"));
      section.rows.forEach(function (row) {
        var line = el("div", null, "kz-legend-row");
        var swatch = el("span", row.symbol || "", "kz-swatch kz-swatch-" + (row.shape || "box"));
        swatch.style.background = row.fill || "transparent";
        swatch.style.borderColor = row.stroke || "#555";
        line.appendChild(swatch);
        line.appendChild(el("span", row.label));
        root.appendChild(line);
      });
    });
    (spec.notes || []).forEach(function (note) {
      root.appendChild(el("div", note, "kz-note"));
    });
    return root;
  }

  /*
   * Place names on the map, with a halo. Where two would overlap, the one that comes first in the
   * record (places.csv) is kept and the other hidden; this is redone whenever the view changes.
   */
  function placeLabels(map, labels) {
    var group = L.layerGroup();
    var nodes = labels.map(function (label) {
      var node = el("span", label.text, "kz-place-label");
      group.addLayer(
        L.marker([label.lat, label.lon], {
          icon: L.divIcon({ html: node, className: "kz-place-label-icon", iconSize: null }),
          interactive: false,
          keyboard: false,
        })
      );
      return node;
    });
    function declutter() {
      var kept = [];
      nodes.forEach(function (node) {
        node.style.visibility = "visible";
        var box = node.getBoundingClientRect();
        var clash = kept.some(function (other) {
          return box.left < other.right && other.left < box.right && box.top < other.bottom && other.top < box.bottom;
        });
        if (clash) node.style.visibility = "hidden";
        else kept.push(box);
      });
    }
    // Measured on the next frame: at "moveend" the end of a zoom animation may not be laid out yet,
    // and labels measured mid-animation were hidden for good.
    function declutterSoon() {
      requestAnimationFrame(declutter);
    }
    group.addTo(map);
    declutter();
    map.on("zoomend moveend", declutterSoon);
    return {
      remove: function () {
        map.off("zoomend moveend", declutterSoon);
        map.removeLayer(group);
      },
    };
  }

  /* The day's status layer: restyles the fetched polygons and shows the legend while on the map. */
  KZ.dayStatus = function (group, spec) {
    KZ.urls = spec.urls; // the day's sources, for every group's cards
    KZ.hostName = spec.host;
    if (KZ.hostButton) KZ.hostButton.textContent = spec.host;
    var DayStatus = L.Layer.extend({
      onAdd: function (map) {
        KZ.mapWidth = map.getSize().x;
        spec.restyle.forEach(function (item) {
          if (bases[item.key]) restyle(bases[item.key], item, true);
        });
        this._legend = L.control({ position: "bottomleft" });
        this._legend.onAdd = function () {
          var node = legend(spec.legend);
          // Otherwise the map takes the click (and its default, opening the <details>) for itself.
          L.DomEvent.disableClickPropagation(node);
          L.DomEvent.disableScrollPropagation(node);
          return node;
        };
        this._legend.addTo(map);
        this._labels = placeLabels(map, spec.labels || []);
        window.__kzDay = spec.legend.date;
      },
      onRemove: function (map) {
        map.removeControl(this._legend);
        this._labels.remove();
        spec.restyle.forEach(function (item) {
          if (bases[item.key]) restyle(bases[item.key], item, false);
        });
      },
    });
    group.addLayer(new DayStatus());
  };

  /* Circle markers or labelled icons: [{lat, lon, style, label, tooltip, popup}]. */
  KZ.points = function (group, features) {
    features.forEach(function (feature) {
      var marker;
      if (feature.label) {
        var icon = el("div", feature.label, "kz-label" + (feature.below ? " kz-label-below" : ""));
        icon.style.background = feature.style.fillColor;
        icon.style.borderColor = feature.style.color;
        marker = L.marker([feature.lat, feature.lon], {
          icon: L.divIcon({ html: icon, className: "kz-label-icon", iconSize: null }),
          keyboard: true,
          title: feature.tooltip.title,
          zIndexOffset: feature.zIndexOffset || 0,
          interactive: feature.interactive !== false,
        });
      } else {
        marker = L.circleMarker([feature.lat, feature.lon], feature.style);
      }
      marker.bindTooltip(card(feature.tooltip));
      if (feature.popup) marker.bindPopup(card(feature.popup), POPUP);
      group.addLayer(marker);
    });
  };

  /* Lines from origin to destination with a dot at the destination: [{coordinates, style, tooltip, popup}]. */
  KZ.lines = function (group, features) {
    features.forEach(function (feature) {
      var line = L.polyline(feature.coordinates, feature.style);
      line.bindTooltip(card(feature.tooltip), { sticky: true });
      if (feature.popup) line.bindPopup(card(feature.popup), POPUP);
      group.addLayer(line);
      var end = feature.coordinates[feature.coordinates.length - 1];
      group.addLayer(
        L.circleMarker(end, { radius: 3, color: feature.style.color, fillColor: feature.style.color, fillOpacity: 1 })
      );
    });
  };

  /*
   * Buttons that frame the map on a view of the record ([{label, bounds: [[s, w], [n, e]]}]). They
   * move the map only when pressed: a slider step or Play never changes the reader's view.
   */
  KZ.views = function (map, views) {
    var control = L.control({ position: "topleft" });
    control.onAdd = function () {
      var box = el("div", null, "leaflet-bar kz-views");
      box.setAttribute("role", "group");
      box.setAttribute("aria-label", "Views");
      views.forEach(function (view) {
        // The host's button is named by the day's data (KZ.dayStatus): the base map holds no record text.
        var isHost = view.label === "host";
        var button = el("button", isHost ? KZ.hostName || "Host country" : view.label);
        if (isHost) KZ.hostButton = button;
        button.type = "button";
        button.addEventListener("click", function () {
          map.fitBounds(view.bounds);
        });
        box.appendChild(button);
      });
      L.DomEvent.disableClickPropagation(box);
      return box;
    };
    control.addTo(map);
  };

  /*
   * Once per mount. streamlit-folium re-adds every dynamic group and rebuilds the layer control on each
   * step, so an overlay the user switched off would come back: remember the user's choices (clicks only)
   * and re-hide the re-added group before the browser paints. It also trims window.feature_group, which
   * the component never clears.
   */
  KZ.housekeeping = function (map) {
    var hidden = {};
    var pending = false;
    map.on("overlayadd overlayremove", function (event) {
      if (!(window.layer_control && window.layer_control._handlingClick)) return;
      if (event.type === "overlayremove") hidden[event.name] = true;
      else delete hidden[event.name];
    });
    map.on("layeradd", function () {
      if (pending) return;
      pending = true;
      queueMicrotask(function () {
        pending = false;
        var control = window.layer_control;
        if (!control) return;
        var current = control._layers.map(function (entry) {
          return entry.layer;
        });
        control._layers.forEach(function (entry) {
          if (entry.overlay && hidden[entry.name] && map.hasLayer(entry.layer)) map.removeLayer(entry.layer);
        });
        if (window.feature_group) {
          window.feature_group = window.feature_group.filter(function (layer) {
            return map.hasLayer(layer) || current.indexOf(layer) >= 0;
          });
        }
      });
    });
  };
})();
