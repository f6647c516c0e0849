/* AG Grid cell renderers (dash-ag-grid looks them up by name in this namespace). */
var dagcomponentfuncs = (window.dashAgGridComponentFunctions =
  window.dashAgGridComponentFunctions || {});

/* A small inline SVG line of a row's list of numbers (nulls are gaps), last point marked. */
dagcomponentfuncs.IocSparkline = function (props) {
  var values = Array.isArray(props.value) ? props.value : [];
  var known = values.filter(function (v) { return typeof v === "number"; });
  var h = React.createElement;
  if (known.length < 2) { return h("span", {className: "text-muted"}, "–"); }
  var width = 120, height = 26, pad = 3;
  var low = Math.min.apply(null, known), high = Math.max.apply(null, known);
  var span = high - low || 1;
  var step = (width - 2 * pad) / Math.max(values.length - 1, 1);
  var segments = [], current = [], last = null;
  values.forEach(function (v, i) {
    if (typeof v !== "number") {
      if (current.length) { segments.push(current); current = []; }
      return;
    }
    last = [pad + i * step, height - pad - ((v - low) / span) * (height - 2 * pad)];
    current.push(last[0].toFixed(1) + "," + last[1].toFixed(1));
  });
  if (current.length) { segments.push(current); }
  var children = segments.map(function (points, i) {
    return h("polyline", {key: i, points: points.join(" "), fill: "none",
      stroke: "#0b4f8a", strokeWidth: 1.5, strokeLinejoin: "round"});
  });
  children.push(h("circle", {key: "end", cx: last[0], cy: last[1], r: 2.5, fill: "#0b4f8a"}));
  var title = known.length + " · min " + Math.round(low) + " · max " + Math.round(high);
  return h("svg", {width: width, height: height, viewBox: "0 0 " + width + " " + height,
    className: "ioc-sparkline", role: "img", "aria-label": title}, children);
};

/* A small image from a URL the row carries (a camera still served by the app), or nothing. */
dagcomponentfuncs.IocThumbnail = function (props) {
  if (!props.value) { return null; }
  return React.createElement("img", {src: props.value, alt: "", loading: "lazy",
    className: "ioc-thumb"});
};
