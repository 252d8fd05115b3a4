/* On the sign-in page (so after every sign-out, and when a session has ended): delete the copies the
 * offline pages keep on this device (XiachenOffline.forget). Queued changes are kept. */
(function () {
  "use strict";
  if (window.XiachenOffline) window.XiachenOffline.forget();
})();
