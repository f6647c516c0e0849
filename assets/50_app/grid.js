/* Cell formatters for the detail tables (AG Grid): vi-VN numbers and local times. */
var dagfuncs = (window.dashAgGridFunctions = window.dashAgGridFunctions || {});

dagfuncs.iocNumber = function (value, decimals, locale, suffix) {
  if (value === null || value === undefined || value === "") { return ""; }
  var text = new Intl.NumberFormat(locale, {
    minimumFractionDigits: decimals, maximumFractionDigits: decimals
  }).format(value);
  return text + (suffix || "");
};

dagfuncs.iocDateTime = function (value, locale) {
  if (!value) { return ""; }
  return new Intl.DateTimeFormat(locale, {
    timeZone: "Asia/Ho_Chi_Minh", day: "2-digit", month: "2-digit", year: "numeric",
    hour: "2-digit", minute: "2-digit", hour12: false
  }).format(new Date(value));
};

/* A cell's status colour: the server computed it with the tiles' rule (ui/status.py) and sent it
   in the row as <field>__tone; the browser only maps it to a class. */
dagfuncs.iocToneClass = function (params, toneField) {
  var tone = params.data ? params.data[toneField] : null;
  return /^(good|warn|critical|nodata)$/.test(tone || "") ? "ioc-value-" + tone : "";
};

/* Names in natural, Vietnamese-aware order (Phường 2 before Phường 10; Đ after D); blanks last. */
var iocCollator = new Intl.Collator("vi", {numeric: true, sensitivity: "base"});
dagfuncs.iocNaturalCompare = function (a, b) {
  if (a === b) { return 0; }
  if (a === null || a === undefined || a === "") { return 1; }
  if (b === null || b === undefined || b === "") { return -1; }
  return iocCollator.compare(String(a), String(b));
};
