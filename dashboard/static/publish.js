/*
 * The published story (dashboard/publish.py): one page, no server. The map is drawn by the
 * dashboard's own helpers (kz_map.js) from the payloads its builders made for every day; this
 * script only holds the date slider, the step buttons and Play.
 */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("kz-data").textContent);
  var map = L.map("map_div", { zoomSnap: 0, zoomDelta: 0.5, zoomControl: false, preferCanvas: false });
  window.map_div = map;
  L.control.zoom({ position: "bottomright" }).addTo(map);
  L.control.scale().addTo(map);
  data.bases.forEach(function (spec) {
    KZ.fetchedGeoJson(map, spec);
  });
  KZ.housekeeping(map);
  KZ.views(map, data.views);

  var slider = document.getElementById("kz-date");
  var label = document.getElementById("kz-day");
  var headline = document.getElementById("kz-headline");
  var shown = null;
  var current = -1;

  function show(index) {
    index = Math.max(0, Math.min(data.days.length - 1, index));
    if (index === current) return;
    current = index;
    var day = data.days[index];
    if (shown) map.removeLayer(shown);
    shown = L.featureGroup().addTo(map);
    KZ.drawDay(shown, day);
    slider.value = String(index);
    label.textContent = new Date(day.date + "T00:00:00Z").toLocaleDateString("en-GB", {
      weekday: "short", day: "numeric", month: "short", year: "numeric", timeZone: "UTC",
    });
    headline.textContent = "";
    headline.appendChild(document.createTextNode(day.headline || "No headline recorded for this day."));
    day.sources.forEach(function (source) {
      var link = document.createElement("a");
      link.textContent = source[0];
      if (/^https?:\/\/[^\s<>"']+$/.test(source[1])) link.href = source[1];
      link.target = "_blank";
      link.rel = "noopener noreferrer";
      link.className = "kz-outlet";
      headline.appendChild(document.createTextNode(" "));
      headline.appendChild(link);
    });
    map.getContainer().setAttribute("aria-label", day.summary);
    document.title = day.summary;
    window.__kzStory = { date: day.date, troops: day.troops };
  }

  var timer = null;
  var play = document.getElementById("kz-play");
  function stop() {
    clearInterval(timer);
    timer = null;
    play.textContent = "▶ Play";
  }
  play.addEventListener("click", function () {
    if (timer) return stop();
    if (current >= data.days.length - 1) show(0);
    play.textContent = "⏸ Pause";
    timer = setInterval(function () {
      if (current >= data.days.length - 1) return stop();
      show(current + 1);
    }, 1000);
  });
  slider.addEventListener("input", function () {
    show(Number(slider.value));
  });
  document.getElementById("kz-prev").addEventListener("click", function () {
    show(current - 1);
  });
  document.getElementById("kz-next").addEventListener("click", function () {
    show(current + 1);
  });
  show(data.opening);
})();
