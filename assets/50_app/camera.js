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

/* HLS cameras: a <video data-hls-src> plays the app's relayed playlist with hls.js where the
   browser has Media Source (the same player and error handling everywhere), else natively — loaded from the app's own assets only when such a
   video appears (it is large and most pages never need it). No worker: CSP allows none. */
var IOC_HLS_SCRIPT = "/assets/lazy/hls.light.min.js";
var iocHlsLoading = null;

function iocLoadHls() {
  if (window.Hls) { return Promise.resolve(window.Hls); }
  if (!iocHlsLoading) {
    iocHlsLoading = new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = IOC_HLS_SCRIPT;
      script.onload = function () { resolve(window.Hls); };
      script.onerror = function () { iocHlsLoading = null; reject(new Error("hls.js not loaded")); };
      document.head.appendChild(script);
    });
  }
  return iocHlsLoading;
}

function iocHlsFailed(video) {
  video.setAttribute("data-hls-state", "error");
  var box = video.parentNode;
  if (box && !box.querySelector(".camera-media-error")) {
    var note = document.createElement("div");
    note.className = "camera-media-error";
    note.textContent = video.getAttribute("data-hls-error") || "";
    box.appendChild(note);
  }
}

function iocStartHls(video) {
  if (video.iocHls !== undefined) { return; }
  var src = video.getAttribute("data-hls-src");
  video.iocHls = null;
  if (!window.MediaSource && video.canPlayType("application/vnd.apple.mpegurl")) {
    video.src = src;  /* iOS Safari: no Media Source, native HLS */
    video.setAttribute("data-hls-state", "native");
    return;
  }
  iocLoadHls().then(function (Hls) {
    if (!Hls || !Hls.isSupported() || !video.isConnected) {
      if (video.isConnected) { iocHlsFailed(video); }
      return;
    }
    var player = new Hls({enableWorker: false, maxBufferLength: 10, liveDurationInfinity: true});
    video.iocHls = player;
    player.on(Hls.Events.MANIFEST_PARSED, function () {
      video.setAttribute("data-hls-state", "playing");
      var played = video.play();
      if (played && played.catch) { played.catch(function () { /* autoplay refused: controls stay */ }); }
    });
    player.on(Hls.Events.ERROR, function (_event, data) {
      if (!data.fatal) { return; }
      if (data.type === Hls.ErrorTypes.MEDIA_ERROR) { player.recoverMediaError(); return; }
      player.destroy();
      video.iocHls = null;
      iocHlsFailed(video);
    });
    player.loadSource(src);
    player.attachMedia(video);
  }, function () { iocHlsFailed(video); });
}

function iocHlsIn(node) {
  if (node.nodeType !== 1) { return []; }
  var found = node.matches("video[data-hls-src]") ? [node] : [];
  return found.concat(Array.prototype.slice.call(node.querySelectorAll("video[data-hls-src]")));
}

new MutationObserver(function (mutations) {
  mutations.forEach(function (mutation) {
    mutation.addedNodes.forEach(function (node) { iocHlsIn(node).forEach(iocStartHls); });
    mutation.removedNodes.forEach(function (node) {
      iocHlsIn(node).forEach(function (video) {  /* stop fetching segments for a closed view */
        if (video.iocHls) { video.iocHls.destroy(); }
        video.iocHls = undefined;
        video.removeAttribute("src");
      });
    });
  });
}).observe(document.documentElement, {childList: true, subtree: true});
document.querySelectorAll("video[data-hls-src]").forEach(iocStartHls);
