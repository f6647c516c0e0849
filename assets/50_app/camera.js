/* A click on a camera tile opens that camera's detail view (the page's `camera` URL param). */
document.addEventListener("click", function (event) {
  var card = event.target.closest && event.target.closest(".camera-open[data-camera]");
  var holder = card && card.closest("[data-page]");
  if (!holder || !window.dash_clientside || !window.dash_clientside.set_props) { return; }
  window.dash_clientside.set_props(
    {type: "url-param", page: holder.getAttribute("data-page"), param: "camera"},
    {value: card.getAttribute("data-camera")}
  );
});

/* Chrome keeps loading a multipart (MJPEG) image after the <img> leaves the page, which would
   hold the relayed camera stream open: point every removed live image elsewhere to end it. */
var IOC_BLANK = "data:image/gif;base64,R0lGODlhAQABAAAAACw=";
new MutationObserver(function (mutations) {
  mutations.forEach(function (mutation) {
    mutation.removedNodes.forEach(function (node) {
      if (node.nodeType !== 1) { return; }
      var live = node.matches("img[data-live='true']") ? [node] : [];
      live = live.concat(Array.prototype.slice.call(node.querySelectorAll("img[data-live='true']")));
      live.forEach(function (img) { img.src = IOC_BLANK; });
    });
  });
}).observe(document.documentElement, {childList: true, subtree: true});
