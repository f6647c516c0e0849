/* Dash keeps an undo history of every input change, including each dcc.Interval tick, and
   never drops it: a page refreshing every 10 s for weeks would grow without bound. Nothing
   here uses undo/redo, so keep only the newest entries. */
(function () {
  "use strict";
  var KEEP = 20;
  window.setInterval(function () {
    (window.dash_stores || []).forEach(function (store) {
      var history = store.getState().history;
      if (history && history.past && history.past.length > KEEP) {
        history.past.splice(0, history.past.length - KEEP);
      }
    });
  }, 30000);
})();
