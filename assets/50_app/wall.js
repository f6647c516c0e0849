/* Wall display engine: which page shows is a function of the (server-corrected) wall clock and
   the playlist, so every screen of a wall turns together and a reload changes nothing.
   Also: the clock and date, the rotation progress, and the connection indicator.
   Allocation-free in the steady state so a wall can run for weeks.

   Test/bench hooks: ?speed=N runs the clock N times faster from ?t0=<epoch ms> (default: the
   start of the current UTC day, so every screen agrees); ?shift=S moves it S seconds on. */
(function () {
  "use strict";
  var TICK_MS = 100;
  var params = new URLSearchParams(window.location.search);
  var speed = Math.max(1, Number(params.get("speed")) || 1);
  var t0 = Number(params.get("t0")) || Math.floor(Date.now() / 86400000) * 86400000;
  var shift = (Number(params.get("shift")) || 0) * 1000;

  var wall = {
    skew: 0,          // server time minus this machine's time, ms (0 until the first sync)
    hold: null,       // the page index the server asks to hold on (a new critical alert)
    root: null,
    slots: [],
    plan: null,
    cycle: 0,
    shown: -1,
    rotations: 0,     // page changes since load (for the memory bench)
    lastOk: Date.now(),
    connected: true,
  };
  var clockFormat = null;
  var dateFormat = null;
  var lastSecond = -1;

  function now() {
    var real = Date.now() + wall.skew;
    return t0 + (real - t0) * speed + shift;
  }

  function attach(root) {
    wall.root = root;
    wall.slots = Array.prototype.slice.call(root.querySelectorAll(".wall-slot"));
    wall.plan = JSON.parse(root.getAttribute("data-plan") || "{}");
    wall.cycle = (wall.plan.dwells || []).reduce(function (a, b) { return a + b; }, 0);
    wall.shown = -1;
    wall.name = root.querySelector("[data-testid=wall-page-name]");
    wall.bar = root.querySelector(".wall-progress-bar");
    wall.progress = root.querySelector(".wall-progress");
    wall.time = root.querySelector(".wall-time");
    wall.date = root.querySelector(".wall-date");
    wall.status = root.querySelector("[data-testid=connection-status]");
    wall.refreshMs = Number(root.getAttribute("data-refresh-ms")) || 10000;
    var lang = root.getAttribute("lang") === "en" ? "en-GB" : "vi-VN";
    clockFormat = new Intl.DateTimeFormat(lang, {
      timeZone: "Asia/Ho_Chi_Minh", hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false
    });
    dateFormat = new Intl.DateTimeFormat(lang, {
      timeZone: "Asia/Ho_Chi_Minh", weekday: "long", day: "2-digit", month: "2-digit", year: "numeric"
    });
  }

  /* [page index, seconds into its dwell, its dwell] at time `ms`. */
  function position(ms) {
    var dwells = wall.plan.dwells || [];
    if (!dwells.length || !wall.cycle) { return [0, 0, 1]; }
    var at = (Math.floor(ms / 1000) % wall.cycle + wall.cycle) % wall.cycle;
    var fraction = (ms % 1000) / 1000;
    for (var i = 0; i < dwells.length; i++) {
      if (at < dwells[i]) { return [i, at + fraction, dwells[i]]; }
      at -= dwells[i];
    }
    return [0, 0, dwells[0]];
  }

  function show(index) {
    if (index === wall.shown) { return; }
    for (var i = 0; i < wall.slots.length; i++) {
      wall.slots[i].classList.toggle("active", i === index);
    }
    var slot = wall.slots[index];
    if (slot && wall.name) { wall.name.textContent = slot.getAttribute("data-name"); }
    if (wall.shown !== -1) { wall.rotations += 1; }
    wall.shown = index;
    wall.root.setAttribute("data-shown", String(index));
  }

  function rotate(ms) {
    var n = wall.slots.length;
    if (!n) { return; }
    if (wall.plan.pinned) { show(0); wall.bar.style.transform = "scaleX(1)"; return; }
    var held = wall.hold !== null && wall.hold !== undefined && wall.hold < n;
    var where = position(ms);
    var lead = held ? wall.hold : where[0];
    show((lead + (wall.plan.offset || 0)) % n);
    wall.progress.classList.toggle("held", held);
    wall.bar.style.transform = "scaleX(" + (held ? 1 : (where[1] / where[2]).toFixed(3)) + ")";
  }

  function clock(ms) {
    var second = Math.floor(ms / 1000);
    if (second === lastSecond || !wall.time) { return; }
    lastSecond = second;
    var moment = new Date(ms);
    wall.time.textContent = clockFormat.format(moment);
    wall.date.textContent = dateFormat.format(moment);
  }

  function connection() {
    if (!wall.status) { return; }
    var late = Date.now() - wall.lastOk > wall.refreshMs * 2.5;
    var ok = wall.connected && !late;
    var state = ok ? "ok" : "lost";
    if (wall.status.getAttribute("data-state") !== state) {
      wall.status.setAttribute("data-state", state);
    }
  }

  function tick() {
    var root = document.querySelector(".wall-root[data-plan]");
    if (!root) { wall.root = null; return; }
    if (root !== wall.root) { attach(root); }
    var ms = now();
    rotate(ms);
    clock(ms);
    connection();
  }

  /* Called with each refresh's {now, hold}: corrects this machine's clock to the server's. */
  wall.sync = function (data) {
    if (!data) { return; }
    var skew = data.now - Date.now();
    /* Follow real corrections only: the response's own delay would make the pages jitter. */
    if (Math.abs(skew - wall.skew) > 1000) { wall.skew = skew; }
    wall.hold = data.hold;
  };

  /* The refresh callback's outcome tells whether the server is reachable. */
  var originalFetch = window.fetch;
  window.fetch = function (input, init) {
    var url = typeof input === "string" ? input : (input && input.url) || "";
    var request = originalFetch.apply(this, arguments);
    if (!wall.root || url.indexOf("_dash-update-component") === -1) { return request; }
    return request.then(function (response) {
      wall.connected = response.ok || response.status === 204;
      if (wall.connected) { wall.lastOk = Date.now(); }
      if (response.status === 401 || response.status === 403) { accessEnded(); }
      return response;
    }, function (error) {
      wall.connected = false;
      throw error;
    });
  };

  /* The server no longer lets this screen see data (its display token was revoked or has
     expired, or the session ended): take every value off the screen and say why. */
  function accessEnded() {
    if (!wall.root || wall.root.getAttribute("data-access") === "ended") { return; }
    wall.root.setAttribute("data-access", "ended");  /* wall.css hides the stage and ticker */
  }

  window.iocWall = wall;
  window.setInterval(tick, TICK_MS);
})();
