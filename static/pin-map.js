// The listing form's map: the pin is placed by tapping the map or dragging the marker, and
// written into the latitude and longitude fields (French decimals). Progressive enhancement:
// without JavaScript the map stays hidden and the fields (under "Coordonnées") remain.
(function () {
  'use strict';
  var element = document.getElementById('pin-map');
  var latitude = document.getElementById('latitude');
  var longitude = document.getElementById('longitude');
  if (!element || !latitude || !longitude || typeof L === 'undefined') {
    return;
  }
  var data = element.dataset;
  element.hidden = false;
  var hint = document.getElementById('pin-hint');
  if (hint) {
    hint.hidden = false;
  }
  function read(input) {
    var value = parseFloat(input.value.replace(',', '.'));
    return isNaN(value) ? null : value;
  }
  function write(input, value) {
    input.value = value.toFixed(5).replace('.', ',');
  }
  var lat = read(latitude);
  var lon = read(longitude);
  var placed = lat !== null && lon !== null;
  var map = L.map(element).setView(placed ? [lat, lon] : [parseFloat(data.lat), parseFloat(data.lon)], placed ? 16 : 13);
  if (data.tiles && data.tiles !== 'none') {
    L.tileLayer(data.tiles, { maxZoom: 19, attribution: data.attribution || '' }).addTo(map);
  }
  var marker = null;
  function place(point) {
    write(latitude, point.lat);
    write(longitude, point.lng);
    if (marker) {
      marker.setLatLng(point);
      return;
    }
    marker = L.marker(point, { draggable: true, title: data.label, alt: data.label }).addTo(map);
    marker.on('dragend', function () {
      place(marker.getLatLng());
    });
  }
  if (placed) {
    place(L.latLng(lat, lon));
  }
  map.on('click', function (event) {
    place(event.latlng);
  });
}());
