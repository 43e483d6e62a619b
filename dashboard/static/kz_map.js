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
    // Sources arrive as numbers into the day's URL list (KZ.urls), each URL sent once a day, with
    // the outlet each is credited to (KZ.outlets: "TASS", "Sputnik (via UrduPoint)").
    var credits = {};
    var links = (spec.sources || [])
      .map(function (source) {
        var url = safeUrl(typeof source === "number" ? (KZ.urls || [])[source] : source);
        if (url && typeof source === "number" && KZ.outlets) credits[url] = KZ.outlets[source];
        return url;
      })
      .filter(Boolean);
    if (links.length) {
      // One entry per outlet: its first link named by the outlet, further links of it numbered.
      var bySite = {};
      var sites = [];
      links.forEach(function (url) {
        var site = credits[url] || hostOf(url);
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
    var interactive = spec.interactive !== false;
    var layer = L.geoJSON(null, {
      pane: spec.pane,
      interactive: interactive,
      style: function () {
        return spec.style;
      },
      onEachFeature: function (feature, shape) {
        if (!interactive) return; // water: a backdrop, with nothing to hover or click
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
    if (spec.data) {
      // The published story carries its polygons inline: there is no server to fetch them from.
      layer.addData(spec.data);
      map.fire("kz:basemap", { key: spec.key });
      return layer;
    }
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

  /* The legend's content: the date, a section per layer shown (swatch and label rows), notes. */
  function legendBody(spec) {
    var root = el("div", null, "kz-legend-body");
    root.setAttribute("data-day", spec.date);
    spec.sections.forEach(function (section) {
      root.appendChild(el("div", section.heading, "kz-heading"));
      section.rows.forEach(function (row) {
        var line = el("div", null, "kz-legend-row");
        var swatch = el("span", row.symbol || "", "kz-swatch kz-swatch-" + (row.shape || "box"));
        swatch.style.background = row.shape === "line" ? "transparent" : row.fill || "transparent";
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
   * The key: a <details> in the map's bottom-left corner, which the first view leaves free of the
   * host country and of every origin. It starts open only on a map wide enough to spare the room
   * (KZ.OPEN_FROM px); the reader's own choice (open or closed) then holds for every day. Its height
   * is capped so that it never reaches the upper part of the map, and it scrolls instead.
   */
  KZ.OPEN_FROM = 1000;
  KZ.KEY_SHARE = 0.5;
  function showLegend(map, spec) {
    if (!KZ.legendBox) {
      // On a phone the bottom-left corner holds the credits: the key goes to the top left there.
      var corner = map.getSize().x < KZ.NARROW ? "topleft" : "bottomleft";
      var control = L.control({ position: corner });
      control.onAdd = function () {
        var box = el("details", null, "kz-legend");
        box.appendChild(el("summary", "Key", "kz-title"));
        box.appendChild(el("div", null, "kz-legend-content"));
        box.open = map.getSize().x >= KZ.OPEN_FROM;
        // Otherwise the map takes the click (and its default, opening the <details>) for itself.
        L.DomEvent.disableClickPropagation(box);
        L.DomEvent.disableScrollPropagation(box);
        return box;
      };
      control.addTo(map);
      KZ.legendBox = control.getContainer();
      var fit = function () {
        KZ.legendBox.querySelector(".kz-legend-content").style.maxHeight =
          Math.round(map.getSize().y * KZ.KEY_SHARE) + "px";
      };
      map.on("resize", fit);
      fit();
      // A card opened on the map goes above the key (Leaflet puts every control above every popup).
      map.on("popupopen", function () {
        map.getContainer().classList.add("kz-card-open");
      });
      map.on("popupclose", function () {
        map.getContainer().classList.remove("kz-card-open");
      });
    }
    var content = KZ.legendBox.querySelector(".kz-legend-content");
    content.textContent = "";
    content.appendChild(el("div", spec.title, "kz-heading kz-key-date"));
    content.appendChild(legendBody(spec));
    KZ.legendBox.setAttribute("data-day", spec.date);
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
      // Badges and chips (sites, troops, home bases) stay; a name under one of them gives way,
      // unless it is one of the record's major cities. Names never overlap one another.
      var badges = Array.prototype.slice
        .call(map.getContainer().querySelectorAll(".kz-label"))
        .filter(function (badge) {
          return badge.offsetParent !== null;
        })
        .map(function (badge) {
          return badge.getBoundingClientRect();
        });
      var kept = [];
      var overlaps = function (box) {
        return function (other) {
          return box.left < other.right && other.left < box.right && box.top < other.bottom && other.top < box.bottom;
        };
      };
      nodes.forEach(function (node, i) {
        node.style.visibility = "visible";
        var box = node.getBoundingClientRect();
        var clash = kept.some(overlaps(box)) || (!labels[i].major && badges.some(overlaps(box)));
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
    KZ.declutterLabels = declutter; // again once symbols have been gathered into chips
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
    KZ.outlets = spec.outlets;
    KZ.hostName = spec.host;
    if (KZ.hostButton) KZ.hostButton.textContent = spec.host;
    var DayStatus = L.Layer.extend({
      onAdd: function (map) {
        KZ.mapWidth = map.getSize().x;
        spec.restyle.forEach(function (item) {
          if (bases[item.key]) restyle(bases[item.key], item, true);
        });
        showLegend(map, spec.legend);
        this._labels = placeLabels(map, spec.labels || []);
        window.__kzDay = spec.legend.date;
        // The frame's title tells screen readers which day the map shows, and its headline figures.
        if (window.frameElement && spec.summary) window.frameElement.title = spec.summary;
      },
      onRemove: function (map) {
        this._labels.remove();
        spec.restyle.forEach(function (item) {
          if (bases[item.key]) restyle(bases[item.key], item, false);
        });
      },
    });
    group.addLayer(new DayStatus());
  };

  /* The day's groups by name (KZ.groups), for the page's own checks: the latest group of a name wins. */
  KZ.groups = {};
  KZ.named = function (group, name) {
    KZ.groups[name] = group;
  };

  /*
   * A slider step sends only where its day is (dashboard/day_data.py). Days are fetched once and
   * kept (the last KZ.DAYS_KEPT), and the ones a reader is likely to go to next are fetched ahead.
   */
  var DRAWERS = { dayStatus: true, points: true, lines: true };
  var days = {};
  var dayOrder = [];
  KZ.DAYS_KEPT = 40;
  function fetchDay(url) {
    if (!days[url]) {
      days[url] = fetch(url, { credentials: "same-origin" }).then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      });
      days[url].catch(function () {
        delete days[url]; // try again next time it is asked for
      });
      dayOrder.push(url);
      while (dayOrder.length > KZ.DAYS_KEPT) delete days[dayOrder.shift()];
    }
    return days[url];
  }
  /* One day's groups ({groups: [{name, calls: [[helper, data]]}]}) drawn into ``parent``. */
  KZ.drawDay = function (parent, day) {
    day.groups.forEach(function (entry) {
      var layer = L.featureGroup();
      entry.calls.forEach(function (call) {
        if (DRAWERS[call[0]] === true) KZ[call[0]](layer, call[1]);
      });
      KZ.named(layer, entry.name);
      parent.addLayer(layer);
    });
  };
  /*
   * The map shows the day of the page's Date slider. The server sends, once per record and layers,
   * where the days' files are (``spec.url`` is the file of ``spec.date``, the day the page opened
   * on); the map then follows the slider in the browser: a key press, a drag, Play or a step button
   * draws the slider's day from its file (kept, or fetched), with no map data over the websocket.
   */
  var current = null; // {group, spec}: the group the day is drawn in, and where the days are
  var shownDate = null;
  var sliderDate = null; // the slider's day when last seen: a redraw of the slider is no move
  var sliderSelector = null;
  var sliderWatched = false;
  KZ.showDay = function (group, spec) {
    current = { group: group, spec: spec };
    var slider = findSlider(spec.slider);
    if (slider) sliderDate = sliderDay(slider);
    drawDate(group, spec, sliderDate || spec.date);
  };
  function dayUrl(spec, date) {
    return spec.url.replace("/" + spec.date + ".json", "/" + date + ".json");
  }
  function shiftedDate(date, days) {
    var moved = new Date(Date.parse(date + "T00:00:00Z") + days * 86400000);
    return moved.toISOString().slice(0, 10);
  }
  function drawDate(group, spec, date) {
    shownDate = date;
    fetchDay(dayUrl(spec, date)).then(function (day) {
      // The slider has moved on meanwhile, or new layers replaced the group: drawing now would
      // bring back an older state.
      if (shownDate !== date || current.group !== group || !group._map) return;
      removeDayError(group._map);
      group.clearLayers();
      KZ.drawDay(group, day);
      setTimeout(function () {
        (spec.prefetch || []).forEach(function (offset) {
          var near = shiftedDate(date, offset);
          if (near >= spec.first && near <= spec.last) fetchDay(dayUrl(spec, near)).catch(function () {});
        });
      }, 0);
    }).catch(function () {
      if (shownDate === date && group._map) showDayError(group._map, date);
    });
  }
  function sliderDay(slider) {
    // A date slider's value is microseconds since the epoch, at midnight UTC.
    var micros = Number(slider.value);
    return isFinite(micros) && slider.value !== "" ? new Date(micros / 1000).toISOString().slice(0, 10) : null;
  }
  /* The page's slider labelled ``label`` (null where the page cannot be read), watched from then on. */
  function findSlider(label) {
    var page;
    try {
      page = window.parent.document;
    } catch (error) {
      return null;
    }
    if (!label || !page || page === document) return null;
    sliderSelector = 'input[type="range"][aria-label="' + label + '"]';
    if (!sliderWatched) {
      sliderWatched = true;
      new MutationObserver(function (changes) {
        for (var i = 0; i < changes.length; i += 1) {
          var slider = changes[i].target;
          if (slider.matches && slider.matches(sliderSelector)) return showSliderDay(slider);
        }
      }).observe(page.body, { attributes: true, attributeFilter: ["aria-valuetext"], subtree: true });
    }
    return page.querySelector(sliderSelector);
  }
  function showSliderDay(slider) {
    var date = sliderDay(slider);
    if (!date || date === sliderDate) return;
    sliderDate = date;
    if (!current || date === shownDate) return;
    if (date < current.spec.first || date > current.spec.last) return;
    drawDate(current.group, current.spec, date);
  }

  function showDayError(map, date) {
    removeDayError(map);
    var box = el("div", "The map of " + date + " could not be loaded. Reload the page to try again.", "kz-day-error");
    box.setAttribute("role", "alert");
    map.getContainer().appendChild(box);
    window.__kzDayError = date;
  }
  function removeDayError(map) {
    var old = map.getContainer().querySelector(".kz-day-error");
    if (old) old.remove();
  }

  /* Circle markers or labelled icons: [{lat, lon, style, label, tooltip, popup}]. */
  KZ.points = function (group, features) {
    features.forEach(function (feature) {
      var marker;
      if (feature.label) {
        var place = feature.above ? " kz-label-above" : feature.side ? " kz-label-" + feature.side : "";
        var icon = el("div", feature.label, "kz-label" + place);
        icon.style.background = feature.style.fillColor;
        icon.style.borderColor = feature.style.color;
        if (feature.style.textColor) icon.style.color = feature.style.textColor;
        var interactive = feature.interactive !== false;
        marker = L.marker([feature.lat, feature.lon], {
          icon: L.divIcon({ html: icon, className: "kz-label-icon", iconSize: null }),
          keyboard: interactive, // a badge only to read is no tab stop
          title: feature.tooltip.title,
          zIndexOffset: feature.zIndexOffset || 0,
          interactive: interactive,
        });
      } else {
        marker = L.circleMarker([feature.lat, feature.lon], feature.style);
      }
      marker.bindTooltip(card(feature.tooltip));
      if (feature.popup) marker.bindPopup(card(feature.popup), POPUP);
      group.addLayer(marker);
      if (feature.gather) KZ.gathered.push({ marker: marker, gather: feature.gather, title: feature.tooltip.title });
    });
  };

  /*
   * Symbols that share a spot on screen (sites and events, ``gather``: {kind, code}) are shown as one
   * chip, "3 sites · RUS KGZ · 1 event", redone after every zoom. A click on the chip zooms in until
   * they part; where they sit on one point, it lists them instead, each opening its own card.
   */
  KZ.gathered = [];
  KZ.GATHER_PX = 30;
  function gather(map) {
    (KZ.chips || []).forEach(function (chip) {
      map.removeLayer(chip);
    });
    KZ.chips = [];
    KZ.gathered = KZ.gathered.filter(function (item) {
      return map.hasLayer(item.marker);
    });
    var items = KZ.gathered.map(function (item) {
      var element = item.marker.getElement();
      if (element) element.style.display = "";
      return { item: item, at: map.latLngToContainerPoint(item.marker.getLatLng()), taken: false };
    });
    items.forEach(function (seed) {
      if (seed.taken) return;
      var members = items.filter(function (other) {
        return !other.taken && seed.at.distanceTo(other.at) <= KZ.GATHER_PX;
      });
      if (members.length < 2) return;
      members.forEach(function (member) {
        member.taken = true;
        var element = member.item.marker.getElement();
        if (element) element.style.display = "none";
      });
      var chip = chipFor(map, members.map(function (member) {
        return member.item;
      }));
      KZ.chips.push(chip); // listed before it is added: adding it must not start another round
      chip.addTo(map);
    });
    if (KZ.declutterLabels) KZ.declutterLabels();
  }

  function chipFor(map, members) {
    var sites = members.filter(function (m) {
      return m.gather.kind === "site";
    });
    var events = members.length - sites.length;
    var codes = [];
    sites.forEach(function (m) {
      if (codes.indexOf(m.gather.code) < 0) codes.push(m.gather.code);
    });
    var parts = [];
    if (sites.length) parts.push(codes.join(" ") + " · " + sites.length + (sites.length > 1 ? " sites" : " site"));
    if (events) parts.push(events + (events > 1 ? " event places" : " event place"));
    var text = parts.join(" · ");
    var centre = L.latLngBounds(members.map(function (m) {
      return m.marker.getLatLng();
    }));
    // Beside the spot, on the side with room: a chip near the map's right edge opens to the left.
    var east = map.latLngToContainerPoint(centre.getCenter()).x > map.getSize().x * 0.7;
    var side = east ? " kz-label-below-left" : " kz-label-right";
    var chip = L.marker(centre.getCenter(), {
      icon: L.divIcon({ html: el("div", text, "kz-label kz-chip" + side), className: "kz-label-icon", iconSize: null }),
      keyboard: true,
      title: text + ": " + members.map(function (m) {
        return m.title;
      }).join("; "),
      zIndexOffset: 500,
    });
    chip.bindTooltip(card({ title: text, lines: members.map(function (m) {
      return m.title;
    }) }));
    chip.on("click", function () {
      var bounds = centre.pad(0.6);
      if (map.getZoom() < map.getBoundsZoom(bounds) - 0.25 && map.getBoundsZoom(bounds) <= 13) {
        map.fitBounds(bounds, { maxZoom: 13 });
        return;
      }
      var list = el("div", null, "kz-card kz-chooser");
      list.appendChild(el("div", text, "kz-title"));
      members.forEach(function (m) {
        var button = el("button", m.title);
        button.type = "button";
        button.addEventListener("click", function () {
          map.closePopup();
          m.marker.openPopup();
        });
        list.appendChild(button);
      });
      L.popup(POPUP).setLatLng(centre.getCenter()).setContent(list).openOn(map);
    });
    return chip;
  }

  /* An arrowhead whose tip is at ``at`` ([lat, lon]), turned ``heading`` degrees clockwise from east. */
  function arrowhead(at, heading, colour) {
    var svgNs = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(svgNs, "svg");
    svg.setAttribute("width", "22");
    svg.setAttribute("height", "16");
    svg.setAttribute("viewBox", "0 0 16 12");
    svg.setAttribute("class", "kz-arrow");
    svg.setAttribute("aria-hidden", "true");
    svg.style.transformOrigin = "22px 8px"; // turn about the tip, which sits on the point
    svg.style.transform = "rotate(" + heading + "deg)";
    var tip = document.createElementNS(svgNs, "path");
    tip.setAttribute("d", "M0,0 L16,6 L0,12 L4,6 Z");
    tip.setAttribute("fill", colour);
    tip.setAttribute("stroke", "#fff");
    tip.setAttribute("stroke-width", "1");
    svg.appendChild(tip);
    var holder = document.createElement("div");
    holder.appendChild(svg);
    return L.marker(at, {
      icon: L.divIcon({ html: holder, className: "kz-arrow-icon", iconSize: [22, 16], iconAnchor: [22, 8] }),
      interactive: false,
      keyboard: false,
    });
  }

  /*
   * Curved legs and trails: [{coordinates, style, tooltip, popup, arrow}]. A leg under way carries an
   * arrowhead (``arrow``: {lat, lon, heading}) pointing the way it goes.
   */
  KZ.lines = function (group, features) {
    features.forEach(function (feature) {
      // The line shows; a wider, unseen line over it takes the pointer, so that a thin or dashed
      // (and marching) line is as easy to hover and click as a solid one.
      group.addLayer(L.polyline(feature.coordinates, Object.assign({}, feature.style, { interactive: false })));
      var hit = L.polyline(feature.coordinates, {
        color: feature.style.color,
        opacity: 0,
        weight: Math.max(12, (feature.style.weight || 3) + 8),
        className: "kz-hit",
      });
      hit.bindTooltip(card(feature.tooltip), { sticky: true });
      if (feature.popup) hit.bindPopup(card(feature.popup), POPUP);
      group.addLayer(hit);
      if (feature.arrow) {
        group.addLayer(arrowhead([feature.arrow.lat, feature.arrow.lon], feature.arrow.heading, feature.style.color));
      }
    });
  };

  /*
   * Buttons that frame the map on a view of the record ([{label, bounds: [[s, w], [n, e]]}]). They
   * move the map only when pressed: a slider step or Play never changes the reader's view.
   */
  KZ.NARROW = 640;
  KZ.views = function (map, spec) {
    var views = spec.views;
    var padding = { paddingTopLeft: spec.padding.topLeft, paddingBottomRight: spec.padding.bottomRight };
    // The frame takes its final height from the page after the first view was fitted: fit it again
    // on every resize until the reader moves the map for the first time.
    var touched = false;
    var container = map.getContainer();
    ["mousedown", "touchstart", "wheel", "keydown"].forEach(function (type) {
      container.addEventListener(type, function () {
        touched = true;
      }, { passive: true });
    });
    // A narrow (phone) map shows the host first: the whole story would leave it a sliver.
    function firstView() {
      var narrow = map.getSize().x < KZ.NARROW && views.length && views[0].label === "host";
      return narrow ? views[0].bounds : spec.first;
    }
    function refit() {
      if (!touched) map.fitBounds(firstView(), Object.assign({ animate: false }, padding));
    }
    refit();
    // Once more when the frame has been laid out (its width may not be final yet), and on resizes.
    requestAnimationFrame(function () {
      map.invalidateSize({ pan: false });
      refit();
    });
    map.on("resize", refit);
    var control = L.control({ position: "topright" });
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
          touched = true;
          map.fitBounds(view.bounds, padding);
        });
        box.appendChild(button);
      });
      L.DomEvent.disableClickPropagation(box);
      return box;
    };
    control.addTo(map);
  };

  /*
   * Once per mount: sizes, touch, tab stops and gathering (below), and a trim of
   * window.feature_group, where streamlit-folium appends each step's groups and never lets go.
   */
  KZ.housekeeping = function (map) {
    // The frame's height comes from the page's style sheet, which may apply after Leaflet measured
    // the map: measure again whenever the map's box changes size.
    if (window.ResizeObserver) {
      new ResizeObserver(function () {
        map.invalidateSize({ pan: false });
      }).observe(map.getContainer());
    }
    // On a touch screen one finger scrolls the page, as everywhere else on it; two fingers move and
    // zoom the map. A one-finger swipe over the map says so, briefly.
    if (L.Browser.mobile || window.matchMedia("(pointer: coarse)").matches) {
      map.dragging.disable();
      var hint = el("div", "Use two fingers to move the map", "kz-touch-hint");
      map.getContainer().appendChild(hint);
      var hide = null;
      map.getContainer().addEventListener("touchmove", function (event) {
        if (event.touches.length !== 1) return;
        hint.classList.add("kz-shown");
        clearTimeout(hide);
        hide = setTimeout(function () {
          hint.classList.remove("kz-shown");
        }, 1500);
      }, { passive: true });
    }
    // Shapes are not tab stops: a keyboard reaches the named symbols (sites, bases) and the controls,
    // and the page's story tells what the shapes show.
    map.on("layeradd", function (event) {
      var layer = event.layer;
      if (layer instanceof L.Path && layer.getElement && layer.getElement()) {
        layer.getElement().setAttribute("tabindex", "-1");
      }
    });
    var pending = false;
    var gathering = false;
    function gatherSoon() {
      if (gathering) return;
      gathering = true;
      requestAnimationFrame(function () {
        gathering = false;
        gather(map);
      });
    }
    map.on("zoomend", gatherSoon);
    map.on("layeradd layerremove", function (event) {
      if (event.layer instanceof L.Marker && (KZ.chips || []).indexOf(event.layer) < 0) gatherSoon();
    });
    map.on("layeradd", function () {
      if (pending) return;
      pending = true;
      queueMicrotask(function () {
        pending = false;
        if (window.feature_group) {
          window.feature_group = window.feature_group.filter(function (layer) {
            return map.hasLayer(layer);
          });
        }
      });
    });
  };
})();
