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

dagfuncs.iocStatusClass = function (params) {
  return params.value ? "ioc-status ioc-status-" + String(params.value).replace(/[^a-z_]/gi, "") : "";
};
