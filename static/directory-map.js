// The directory map: reads the listings from the JSON API (same filters as the list) and shows
// them as markers, with a list under the map for keyboard and screen-reader users.
// Progressive enhancement: without JavaScript the page links back to the list.
(function () {
  'use strict';
  var element = document.getElementById('directory-map');
  if (!element || typeof L === 'undefined') {
    return;
  }
  var data = element.dataset;
  var fallback = element.querySelector('.map-fallback');
  if (fallback) {
    fallback.remove();
  }
  var map = L.map(element).setView([parseFloat(data.lat), parseFloat(data.lon)], 12);
  if (data.tiles && data.tiles !== 'none') {
    L.tileLayer(data.tiles, { maxZoom: 19, attribution: data.attribution || '' }).addTo(map);
  }
  var list = document.getElementById('directory-map-list');

  function label(status) {
    return data['labelStatus' + status.split('_').map(function (part) {
      return part.charAt(0).toUpperCase() + part.slice(1);
    }).join('')] || status;
  }

  function link(item) {
    var a = document.createElement('a');
    a.href = data.base + item.id;
    a.textContent = item.name;
    return a;
  }

  fetch(data.source, { headers: { Accept: 'application/json' }, credentials: 'same-origin' })
    .then(function (response) { return response.ok ? response.json() : { items: [] }; })
    .then(function (page) {
      var bounds = [];
      page.items.forEach(function (item) {
        var entry = document.createElement('li');
        entry.appendChild(link(item));
        entry.appendChild(document.createTextNode(' — ' + label(item.status)));
        list.appendChild(entry);
        if (item.latitude === null || item.longitude === null) {
          return;
        }
        var popup = document.createElement('div');
        var title = document.createElement('strong');
        title.appendChild(link(item));
        popup.appendChild(title);
        popup.appendChild(document.createElement('br'));
        popup.appendChild(document.createTextNode(label(item.status)));
        L.marker([item.latitude, item.longitude], { title: item.name, alt: item.name })
          .addTo(map)
          .bindPopup(popup);
        bounds.push([item.latitude, item.longitude]);
      });
      if (bounds.length > 0) {
        map.fitBounds(bounds, { padding: [30, 30], maxZoom: 15 });
      } else {
        var empty = document.createElement('li');
        empty.textContent = data.labelEmpty;
        list.appendChild(empty);
      }
      element.dataset.loaded = String(page.items.length);
    });
}());
