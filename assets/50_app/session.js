/* A page whose session ended (idle, lifetime, sign-out elsewhere) goes to the sign-in page on
   its next callback instead of failing silently; the wall handles its own case (wall.js). */
(function () {
  "use strict";
  var originalFetch = window.fetch;
  window.fetch = function (input) {
    var url = typeof input === "string" ? input : (input && input.url) || "";
    var request = originalFetch.apply(this, arguments);
    if (url.indexOf("_dash-") === -1) { return request; }
    return request.then(function (response) {
      if (response.status === 401 && !document.querySelector(".wall-root")) {
        var here = window.location.pathname + window.location.search;
        window.location.assign("/dang-nhap?next=" + encodeURIComponent(here));
      }
      return response;
    });
  };
})();
