/* The post's scan page when the post has a site: the phone's position goes with the check-in (the
 * server refuses it outside the post's radius, naming the distance). */
(function () {
  "use strict";
  var form = document.getElementById("scan-form");
  if (!form || !form.dataset.needsPosition) return;
  var located = false;
  form.addEventListener("submit", function (event) {
    if (located || !navigator.geolocation) return;  // without geolocation the server names the refusal
    event.preventDefault();
    navigator.geolocation.getCurrentPosition(function (position) {
      form.elements.latitude.value = position.coords.latitude;
      form.elements.longitude.value = position.coords.longitude;
      form.elements.accuracy.value = position.coords.accuracy;
      located = true; form.submit();
    }, function () { located = true; form.submit(); }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
  });
})();
